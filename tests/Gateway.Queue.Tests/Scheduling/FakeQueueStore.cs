using System.Runtime.CompilerServices;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Scheduling;

/// <summary>An in-memory queue store with switchable failures, recording what the scheduler asked of it.</summary>
internal sealed class FakeQueueStore : IQueueStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, QueueEntry> _entries = new(StringComparer.Ordinal);
    private int _noticeCount;

    private int _listCount;

    public event Action<string>? MessageQueued;

    public List<(QueuedEnvelope Envelope, byte[] Content, string Id)> Notices { get; } = [];

    public List<(string Id, string Reason)> Removed { get; } = [];

    public int SaveCount { get; private set; }

    public bool FailSave { get; set; }

    public bool FailRemove { get; set; }

    public bool FailEnqueue { get; set; }

    public bool FailList { get; set; }

    public byte[] MessageBytes { get; set; } = "Subject: test\r\nMessage-ID: <m1@example.org>\r\n\r\nbody\r\n"u8.ToArray();

    public void Add(QueuedEnvelope envelope, bool held = false, bool raiseEvent = false)
    {
        lock (_gate)
        {
            _entries[envelope.QueueId] = new QueueEntry(envelope, MessageState.Initial(envelope), held, MessageBytes.Length);
        }

        if (raiseEvent)
        {
            MessageQueued?.Invoke(envelope.QueueId);
        }
    }

    public QueueEntry? Entry(string id)
    {
        lock (_gate)
        {
            return _entries.GetValueOrDefault(id);
        }
    }

    public void Delete(string id)
    {
        lock (_gate)
        {
            _entries.Remove(id);
        }
    }

    public ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The scheduler never receives mail.");

    public ValueTask<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _entries.Keys]);
        }
    }

    public ValueTask<QueueEntry?> GetAsync(string queueId, CancellationToken cancellationToken) => ValueTask.FromResult(Entry(queueId));

    public int ListCount => Volatile.Read(ref _listCount);

    public async IAsyncEnumerable<QueueEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listCount);
        await Task.Yield();
        if (FailList)
        {
            throw new IOException("listing failed");
        }

        QueueEntry[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _entries.Values];
        }

        foreach (var entry in snapshot)
        {
            yield return entry;
        }
    }

    public ValueTask<Stream> OpenMessageAsync(string queueId, CancellationToken cancellationToken)
    {
        if (Entry(queueId) is null)
        {
            throw new FileNotFoundException("no such message", queueId);
        }

        return ValueTask.FromResult<Stream>(new MemoryStream(MessageBytes, writable: false));
    }

    public ValueTask SaveStateAsync(MessageState state, CancellationToken cancellationToken)
    {
        if (FailSave)
        {
            throw new IOException("disk on fire");
        }

        lock (_gate)
        {
            SaveCount++;
            if (_entries.TryGetValue(state.Id, out var entry))
            {
                _entries[state.Id] = entry with { State = state };
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string queueId, string reason, CancellationToken cancellationToken)
    {
        if (FailRemove)
        {
            throw new IOException("cannot unlink");
        }

        lock (_gate)
        {
            _entries.Remove(queueId);
            Removed.Add((queueId, reason));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<string> EnqueueAsync(QueuedEnvelope envelopeWithoutId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (FailEnqueue)
        {
            throw new IOException("no space left on device");
        }

        lock (_gate)
        {
            var id = "notice" + (++_noticeCount).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
            Notices.Add((envelopeWithoutId with { QueueId = id }, message.ToArray(), id));
            return ValueTask.FromResult(id);
        }
    }

    public ValueTask HoldAsync(string queueId, CancellationToken cancellationToken) => SetHeld(queueId, true);

    public ValueTask ReleaseAsync(string queueId, CancellationToken cancellationToken) => SetHeld(queueId, false);

    public ValueTask RetryNowAsync(string queueId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private ValueTask SetHeld(string queueId, bool held)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(queueId, out var entry))
            {
                _entries[queueId] = entry with { Held = held };
            }
        }

        return ValueTask.CompletedTask;
    }
}
