using System.Runtime.CompilerServices;

namespace Gateway.Queue.Tests.Scheduling;

internal sealed class RecordingTraceLog : ITraceLog
{
    private readonly Lock _gate = new();
    private readonly List<TraceEvent> _events = [];

    public IReadOnlyList<TraceEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IEnumerable<TraceEvent> Named(string name) => Events.Where(e => e.Event == name);

    public ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Add(traceEvent);
        }

        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var e in Events.Where(e => e.Timestamp >= since))
        {
            yield return e;
        }
    }
}
