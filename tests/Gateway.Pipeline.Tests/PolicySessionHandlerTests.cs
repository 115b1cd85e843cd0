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

    /// <summary>example.test reached over opportunistic TLS (the default), verified.test over verified TLS.</summary>
    private static PolicySessionHandler RoutedHandler() =>
        new(new MessagePipeline(Policy with
        {
            Domains = ["example.test", "verified.test"],
            Delivery = new DeliveryPolicy
            {
                Routes = new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal)
                {
                    ["example.test"] = [new RouteHostPolicy { Host = "10.0.0.5" }],
                    ["verified.test"] = [new RouteHostPolicy { Host = "10.0.0.6", Tls = new DestinationTlsSetting { Level = Transport.TlsLevel.Verify } }],
                },
            },
        }, null, NullLogger.Instance), new WriterAcceptor(), NullLogger.Instance);

    [Theory]
    [InlineData("example.test", true, false)]
    [InlineData("verified.test", true, true)]
    [InlineData("example.test", false, true)]
    public async Task Requiretls_mail_for_a_domain_whose_route_is_not_verified_is_refused_at_rcpt(string domain, bool requireTls, bool accepted)
    {
        var handler = RoutedHandler();
        var facts = Facts("203.0.113.5");
        Assert.True((await handler.OnMailFromAsync(facts, new Mailbox("s", "sender.example"), new MailParameters { RequireTls = requireTls }, default)).IsContinue);

        var decision = await handler.OnRecipientAsync(facts, new Mailbox("s", "sender.example"), new Mailbox("u", domain), RecipientParameters.None, default);

        Assert.Equal(accepted, decision.Verdict.IsContinue);
        if (!accepted)
        {
            // Said at RCPT: no 250 now and a failure notice for every such message later.
            Assert.Equal(550, decision.Verdict.Reply!.Code);
            Assert.Equal("5.7.10", decision.Verdict.Reply.EnhancedCode);
        }
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
