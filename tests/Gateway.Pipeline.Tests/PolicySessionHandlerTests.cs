using System.Net;
using Gateway.Abstractions;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Pipeline.Tests;

public sealed class PolicySessionHandlerTests
{
    private static readonly GatewayPolicy Policy = new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test"],
        TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
    };

    private static PolicySessionHandler Handler() =>
        new(Policy, new RelayDecider(Policy), new RecordingAcceptor(), NullLogger.Instance);

    private static SessionFacts Facts(string client, string? user = null) => new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse(client), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        AuthenticatedUser = user,
    };

    [Fact]
    public async Task Our_domain_is_inbound_from_anyone()
    {
        var decision = await Handler().OnRecipientAsync(Facts("203.0.113.5"), null, new Mailbox("u", "example.test"), RecipientParameters.None, default);
        Assert.True(decision.Verdict.IsContinue);
        Assert.Equal(MailDirection.Inbound, decision.Direction);
    }

    [Fact]
    public async Task Other_domains_from_an_untrusted_client_get_554_5_7_1()
    {
        var decision = await Handler().OnRecipientAsync(Facts("203.0.113.5"), null, new Mailbox("u", "elsewhere.example"), RecipientParameters.None, default);
        Assert.Equal(VerdictAction.Reject, decision.Verdict.Action);
        Assert.Equal(554, decision.Verdict.Reply!.Code);
        Assert.Equal("5.7.1", decision.Verdict.Reply.EnhancedCode);
    }

    [Theory]
    [InlineData("10.1.2.3", null)]
    [InlineData("203.0.113.5", "alice")]
    public async Task Other_domains_from_a_trusted_or_authenticated_client_are_outbound(string client, string? user)
    {
        var decision = await Handler().OnRecipientAsync(Facts(client, user), null, new Mailbox("u", "elsewhere.example"), RecipientParameters.None, default);
        Assert.True(decision.Verdict.IsContinue);
        Assert.Equal(MailDirection.Outbound, decision.Direction);
    }

    [Fact]
    public async Task The_message_goes_to_the_acceptor_with_the_envelope_as_given()
    {
        var acceptor = new RecordingAcceptor();
        var handler = new PolicySessionHandler(Policy, new RelayDecider(Policy), acceptor, NullLogger.Instance);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = Facts("203.0.113.5"),
            From = null,
            MailParameters = MailParameters.None,
            Recipients = [new EnvelopeRecipient(new Mailbox("u", "example.test"), RecipientParameters.None, MailDirection.Inbound)],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };

        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);

        Assert.True(verdict.IsContinue);
        Assert.Same(acceptor.Writer, writer);
        Assert.Same(envelope, acceptor.Envelope);
    }

    private sealed class RecordingAcceptor : IMessageAcceptor, IMessageWriter
    {
        public Envelope? Envelope { get; private set; }

        public IMessageWriter Writer => this;

        public ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            Envelope = envelope;
            return ValueTask.FromResult<IMessageWriter>(this);
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new SmtpReply(250, "2.0.0", "Ok"));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
