using System.Collections.Concurrent;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

internal sealed class TestProvider(SmtpSessionOptions options, RecordingHandler handler, ICredentialVerifier? credentials) : ISmtpSessionProvider
{
    public ConcurrentQueue<SessionFacts> Opened { get; } = new();

    public SmtpSessionSetup Open(SessionFacts facts)
    {
        Opened.Enqueue(facts);
        return new SmtpSessionSetup(options, handler, credentials);
    }
}
