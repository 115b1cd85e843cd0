using System.Net;
using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
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

    private static PolicySessionHandler Handler(IMessageAcceptor? acceptor = null) =>
        new(new MessagePipeline(Policy, null, NullLogger.Instance), acceptor ?? new WriterAcceptor(), NullLogger.Instance);

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
    public async Task The_message_goes_to_the_acceptor_with_the_envelope_and_the_trust_decision()
    {
        var acceptor = new WriterAcceptor();
        var handler = Handler(acceptor);
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
        Assert.NotNull(writer);
        var (part, _) = Assert.Single(acceptor.Parts);
        Assert.Equal(envelope with { Trust = ClientTrust.Anonymous, Recipients = part.Recipients }, part);
        Assert.Equal(envelope.Recipients, part.Recipients);
    }
}
