using System.Collections.Concurrent;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

internal sealed class TestProvider(SmtpSessionOptions options, RecordingHandler handler, ICredentialVerifier? credentials) : ISmtpSessionProvider
{
    public ConcurrentQueue<SessionFacts> Opened { get; } = new();

    /// <summary>Makes the lease each setup carries (none when null).</summary>
    public Func<IDisposable>? Lease { get; set; }

    public SmtpSessionSetup Open(SessionFacts facts)
    {
        Opened.Enqueue(facts);
        return new SmtpSessionSetup(options, handler, credentials) { Lease = Lease?.Invoke() };
    }
}
