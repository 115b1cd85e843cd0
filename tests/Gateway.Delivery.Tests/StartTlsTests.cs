using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Delivery.Tls;
using Gateway.Dns;
using Gateway.Queue.Scheduling;
using Gateway.Testing;
using Gateway.Testing.Smtp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Delivery.Tests;

/// <summary>STARTTLS (RFC 3207): opportunistic by default, required per route, certificates judged by the validator hook.</summary>
public sealed class StartTlsTests
{
    private static FakeSmtpServer TlsServer(params string[] keywords) =>
        new(keywords.Length == 0 ? ["PIPELINING", "8BITMIME", "STARTTLS"] : keywords) { Certificate = TestCertificates.Server };

    /// <summary>Inbound routes to the fake server, one per domain, with the given TLS requirement.</summary>
    private static SmtpDeliveryAgent Agent(FakeSmtpServer server, IServerCertificateValidator? validator, params (string Domain, bool RequireTls)[] routes)
    {
        var table = routes.ToDictionary(
            r => r.Domain,
            r => (IReadOnlyList<RouteHost>)[new RouteHost("127.0.0.1", server.Port, 10, r.RequireTls)],
            StringComparer.OrdinalIgnoreCase);
        var options = Jobs.Options(25) with { Routes = table };
        var router = new Router(options, new InMemoryDnsResolver(), NullLogger<Router>.Instance, localAddresses: []);
        return new SmtpDeliveryAgent(options, router, TimeProvider.System, NullLogger<SmtpDeliveryAgent>.Instance, validator);
    }

    private static Task<IReadOnlyList<RecipientOutcome>> Deliver(SmtpDeliveryAgent agent, string recipient, DsnNotify notify = DsnNotify.None) =>
        agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt(recipient, MailDirection.Inbound, notify)), CancellationToken.None).AsTask();

    [Fact]
    public async Task Starttls_is_used_when_offered_and_any_certificate_will_do()
    {
        await using var server = TlsServer();
        await using var agent = Agent(server, null, ("ours.test", false));

        var outcomes = await Deliver(agent, "u@ours.test");

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var tls = Assert.Single(server.Transactions).Tls;
        Assert.True(tls is SslProtocols.Tls12 or SslProtocols.Tls13, $"negotiated {tls}");
        Assert.Equal(["EHLO gw.ours.test", "STARTTLS", "EHLO gw.ours.test"], server.Commands.Take(3));
    }

    [Fact]
    public async Task What_was_announced_before_tls_is_forgotten()
    {
        // DSN only in plaintext: after STARTTLS the client must not use it (RFC 3207 4.2).
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME", "DSN", "STARTTLS")
        {
            Certificate = TestCertificates.Server,
            KeywordsAfterTls = ["PIPELINING", "8BITMIME"],
        };
        await using var agent = Agent(server, null, ("ours.test", false));

        var outcomes = await Deliver(agent, "u@ours.test", DsnNotify.Success);

        Assert.False(Assert.Single(outcomes).DsnPassedOn);
        Assert.Equal("RCPT TO:<u@ours.test>", Assert.Single(Assert.Single(server.Transactions).Rcpts));
    }

    [Fact]
    public async Task A_route_that_requires_tls_refuses_a_certificate_that_does_not_verify()
    {
        await using var server = TlsServer();
        await using var agent = Agent(server, null, ("ours.test", true));

        var outcome = Assert.Single(await Deliver(agent, "u@ours.test"));

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("4.7.5", outcome.RemoteEnhancedCode);
        Assert.Contains("TLS required by policy (verify): certificate not trusted", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_validator_decides_with_the_hop_and_what_the_platform_found()
    {
        await using var server = TlsServer();
        var validator = new RecordingValidator(CertificateVerdict.Accept);
        await using var agent = Agent(server, validator, ("ours.test", true));

        var outcomes = await Deliver(agent, "u@ours.test");

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.NotNull(Assert.Single(server.Transactions).Tls);
        var (hop, subject, errors) = Assert.Single(validator.Calls);
        Assert.Equal("127.0.0.1", hop.Host);
        Assert.True(hop.RequireTls);
        Assert.Equal("CN=mx.test", subject);
        Assert.True(errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public async Task A_refusing_validator_stops_even_opportunistic_delivery_with_its_reason()
    {
        await using var server = TlsServer();
        var validator = new RecordingValidator(CertificateVerdict.Refuse("DANE TLSA records do not match"));
        await using var agent = Agent(server, validator, ("ours.test", false));

        var outcome = Assert.Single(await Deliver(agent, "u@ours.test"));

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("451 4.7.5 delivery to route:ours.test failed temporarily: server certificate not accepted: DANE TLSA records do not match", outcome.Diagnostic);
        Assert.Empty(server.Transactions);
    }

    [Fact]
    public async Task Starttls_refused_means_plaintext_when_opportunistic_and_a_deferral_when_required()
    {
        await using var server = TlsServer();
        server.StartTlsReply = "454 4.7.0 TLS not available due to temporary reason";
        await using var agent = Agent(server, null, ("open.test", false), ("strict.test", true));

        var open = Assert.Single(await Deliver(agent, "u@open.test"));
        var strict = Assert.Single(await Deliver(agent, "u@strict.test"));

        Assert.Equal(OutcomeKind.Delivered, open.Kind);
        Assert.Null(Assert.Single(server.Transactions).Tls);
        Assert.Equal(OutcomeKind.TransientFailure, strict.Kind);
        Assert.Equal("451 4.7.4 delivery to route:strict.test failed temporarily: TLS required by policy (verify): STARTTLS refused by 127.0.0.1: 454 4.7.0 TLS not available due to temporary reason", strict.Diagnostic);
    }

    [Fact]
    public async Task A_connection_opened_without_verification_never_serves_a_route_that_requires_it()
    {
        await using var server = TlsServer();
        await using var agent = Agent(server, new RecordingValidator(CertificateVerdict.Accept), ("open.test", false), ("strict.test", true));

        await Deliver(agent, "u@open.test");
        await Deliver(agent, "u@strict.test");
        Assert.Equal(2, server.Connections);

        // Each kind of connection is reused for its own kind.
        await Deliver(agent, "v@open.test");
        await Deliver(agent, "v@strict.test");
        Assert.Equal(2, server.Connections);
        Assert.Equal(4, server.Transactions.Count);
    }

    private sealed class RecordingValidator(CertificateVerdict verdict) : IServerCertificateValidator
    {
        public ConcurrentQueue<(NextHop Hop, string Subject, SslPolicyErrors Errors)> Calls { get; } = new();

        public CertificateVerdict Validate(NextHop hop, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Calls.Enqueue((hop, certificate.Subject, errors));
            return verdict;
        }
    }
}
