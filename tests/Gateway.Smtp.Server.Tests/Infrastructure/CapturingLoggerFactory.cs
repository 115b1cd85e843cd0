using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>Keeps every formatted log line so tests can assert what is (and is never) logged.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(int EventId, string Message)> Lines { get; } = new();

    public string All => string.Join('\n', Lines.Select(l => l.Message));

    public bool Has(int eventId) => Lines.Any(l => l.EventId == eventId);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
