using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Logging;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>A logger keeping the formatted messages, so a test can see what was reported.</summary>
internal sealed class CollectingLogger : ILogger<MtaStsPolicyStore>, ILogger<MtaStsPolicyResolver>
{
    private readonly Lock _gate = new();
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _messages.Add(formatter(state, exception));
        }
    }
}
