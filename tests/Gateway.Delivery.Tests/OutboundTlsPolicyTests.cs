using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Dns;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Testing;
using Gateway.Testing.Smtp;
using Gateway.Transport;
using Gateway.Transport.MtaSts;
using Gateway.Transport.Policy;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Delivery.Tests;

/// <summary>
/// The outbound TLS policy as delivery enforces it against a scripted server: the policy table's levels, DANE
/// (RFC 7672), MTA-STS (RFC 8461) with TLS-RPT counting (RFC 8460), REQUIRETLS and "TLS-Required: No" (RFC 8689),
/// and a connection pool that never lets a weaker requirement's connection serve a stricter one.
/// </summary>
public sealed class OutboundTlsPolicyTests
{
    private const string Domain = "example.test";
    private const string MxHost = "mx.example.test";

    private static readonly string[] PlainKeywords = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"];

    private static FakeSmtpServer TlsServer(X509Certificate2 certificate, params string[] afterTls) =>
        new([.. PlainKeywords, "STARTTLS"]) { Certificate = certificate, KeywordsAfterTls = afterTls.Length == 0 ? PlainKeywords : afterTls };

    /// <summary>The MX of example.test on 127.0.0.1; the zone signed (DNSSEC-authenticated answers) when asked.</summary>
    private static InMemoryDnsResolver Dns(bool signed)
    {
        var dns = new InMemoryDnsResolver().AddMx(Domain, 10, MxHost).AddA(MxHost, IPAddress.Loopback);
        return signed ? dns.SetSigned(Domain) : dns;
    }

    /// <summary>RFC 7671 5.1: DANE-EE(3) SPKI(1) SHA2-256(1), the record most SMTP servers publish.</summary>
    private static TlsaRecord DaneEe(X509Certificate2 certificate) =>
        new(3, 1, 1, SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    private static string TlsaName(FakeSmtpServer server) => $"_{server.Port}._tcp.{MxHost}";

    private static SmtpDeliveryAgent Agent(
        FakeSmtpServer server, IDnsResolver dns, TlsPolicyTable? table = null, IMtaStsPolicySource? mtaSts = null, ITlsRptRecorder? reports = null)
    {
        var options = Jobs.Options(server.Port) with { TlsPolicies = table ?? TlsPolicyTable.Empty };
        var router = new Router(options, dns, NullLogger<Router>.Instance, localAddresses: [], mtaSts: mtaSts);
        return new SmtpDeliveryAgent(options, router, TimeProvider.System, NullLogger<SmtpDeliveryAgent>.Instance, tlsReports: reports);
    }

    /// <summary>An agent for example.test under DNSSEC with one DANE-EE record, for <paramref name="published"/>'s key.</summary>
    private static SmtpDeliveryAgent DaneAgent(FakeSmtpServer server, X509Certificate2 published) =>
        Agent(server, Dns(signed: true).AddTlsa(TlsaName(server), DaneEe(published)));

    private static TlsPolicyTable Table(TlsLevel defaultLevel, params (string Domain, TlsPolicyEntry Entry)[] destinations) =>
        new(destinations.Select(d => KeyValuePair.Create(d.Domain, d.Entry)), new TlsPolicyEntry(defaultLevel));

    private static async Task<RecipientOutcome> Deliver(SmtpDeliveryAgent agent, string recipient = "b@example.test", Func<QueuedEnvelope, QueuedEnvelope>? envelope = null)
    {
        var rcpt = Jobs.Rcpt(recipient);
        var queued = Jobs.Envelope("a@sender.test", rcpt);
        queued = envelope?.Invoke(queued) ?? queued;
        return Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, queued, [rcpt]), CancellationToken.None));
    }

    private static bool SentMail(FakeSmtpServer server) => server.Commands.Any(c => c.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task A_connection_opened_under_encrypt_is_never_reused_for_verify()
    {
        // One MX host serves two domains: "encrypt" for one, "verify" for the other. The server's certificate is
        // from a CA only the second entry pins, for a name the verify entry does not accept at first.
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.Issue("mx.shared.test");
        await using var server = TlsServer(certificate);
        var dns = new InMemoryDnsResolver()
            .AddMx("weak.test", 10, "mx.shared.test").AddMx("strict.test", 10, "mx.shared.test").AddMx("right.test", 10, "mx.shared.test")
            .AddA("mx.shared.test", IPAddress.Loopback);
        var anchors = new X509Certificate2Collection { ca.Root, ca.Intermediate };
        var table = Table(
            TlsLevel.May,
            ("weak.test", new TlsPolicyEntry(TlsLevel.Encrypt)),
            ("strict.test", new TlsPolicyEntry(TlsLevel.Verify, ["mx.elsewhere.test"], anchors)),
            ("right.test", new TlsPolicyEntry(TlsLevel.Verify, null, anchors)));
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { TlsPolicies = table }, dns);

        var weak = await Deliver(agent, "u@weak.test");
        Assert.Equal(OutcomeKind.Delivered, weak.Kind);
        Assert.Equal(1, agent.IdleConnections);

        // The idle encrypt connection to the same address and port would deliver; the verify requirement must
        // check the certificate on a connection of its own and refuse it.
        var strict = await Deliver(agent, "u@strict.test");
        Assert.Equal(OutcomeKind.TransientFailure, strict.Kind);
        Assert.Contains("TLS required by policy (verify): certificate of mx.shared.test names none of mx.elsewhere.test", strict.Diagnostic, StringComparison.Ordinal);
        Assert.Single(server.Transactions);

        // A verify requirement the certificate passes gets its own connection too, and delivers.
        var right = await Deliver(agent, "u@right.test");
        Assert.Equal(OutcomeKind.Delivered, right.Kind);
        Assert.Equal(3, server.Connections);
        Assert.Equal(2, server.Transactions.Count);
        Assert.All(server.Transactions, t => Assert.NotNull(t.Tls));
    }

    [Fact]
    public async Task Dane_ee_spki_sha256_match_delivers_and_counts_a_tls_rpt_success()
    {
        using var certificate = TestCertificates.Create("unrelated.name.test");
        await using var server = TlsServer(certificate);
        var dns = Dns(signed: true).AddTlsa(TlsaName(server), DaneEe(certificate));
        var reports = new RecordingTlsRpt();
        await using var agent = Agent(server, dns, reports: reports);

        var outcome = await Deliver(agent);

        // DANE-EE ignores names and trust chains (RFC 7672 3.1.1): a self-signed certificate for another name is fine.
        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.NotNull(Assert.Single(server.Transactions).Tls);
        var success = Assert.Single(reports.Successes);
        Assert.Equal(TlsRptPolicyTypes.Tlsa, success.PolicyType);
        Assert.Equal(Domain, success.PolicyDomain);
        Assert.Equal([MxHost], success.MxHosts);
        Assert.Empty(reports.Failures);
    }

    [Fact]
    public async Task Dane_mismatch_defers_with_the_reason_and_sends_no_mail()
    {
        using var certificate = TestCertificates.Create(MxHost);
        using var other = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var dns = Dns(signed: true).AddTlsa(TlsaName(server), DaneEe(other));
        var reports = new RecordingTlsRpt();
        await using var agent = Agent(server, dns, reports: reports);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("4.7.5", outcome.RemoteEnhancedCode);
        Assert.StartsWith("451 4.7.5 delivery to mx:example.test failed temporarily: TLS required by DANE: ", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.False(SentMail(server));
        Assert.Empty(server.Transactions);
        var (policy, failure) = Assert.Single(reports.Failures);
        Assert.Equal(TlsRptPolicyTypes.Tlsa, policy.PolicyType);
        Assert.Equal(TlsRptResultTypes.TlsaInvalid, failure.ResultType);
        Assert.Equal(MxHost, failure.ReceivingMxHostname);
        Assert.Equal(IPAddress.Loopback, failure.ReceivingIp);
        Assert.Empty(reports.Successes);
    }

    [Fact]
    public async Task A_dane_mismatch_on_the_first_mx_goes_on_to_the_next_one()
    {
        // RFC 7672 2.2 / RFC 5321 5.1: a host that fails authentication is like one that cannot be reached.
        using var certificate = TestCertificates.Create(MxHost);
        using var other = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var dns = new InMemoryDnsResolver()
            .AddMx(Domain, 10, "mx1.example.test").AddMx(Domain, 20, "mx2.example.test")
            .AddA("mx1.example.test", IPAddress.Loopback).AddA("mx2.example.test", IPAddress.Loopback)
            .AddTlsa($"_{server.Port}._tcp.mx1.example.test", DaneEe(other))
            .AddTlsa($"_{server.Port}._tcp.mx2.example.test", DaneEe(certificate))
            .SetSigned(Domain);
        await using var agent = Agent(server, dns);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.Equal("mx2.example.test", outcome.RemoteMta);
        Assert.Equal(2, server.Connections);
        Assert.Single(server.Transactions);
    }

    [Fact]
    public async Task A_dane_connection_is_reused_under_the_same_requirement()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        await using var agent = DaneAgent(server, certificate);

        Assert.Equal(OutcomeKind.Delivered, (await Deliver(agent)).Kind);
        Assert.Equal(OutcomeKind.Delivered, (await Deliver(agent, "c@example.test")).Kind);

        Assert.Equal(1, server.Connections);
        Assert.Equal(2, server.Transactions.Count);
    }

    [Fact]
    public async Task Dane_with_only_unusable_tlsa_records_means_encrypt()
    {
        // RFC 7672 3.1.3: PKIX-TA(0) and PKIX-EE(1) are not for SMTP. With nothing usable the host still gets
        // "encrypt" (RFC 7672 2.2): TLS with any certificate, never plaintext.
        using var certificate = TestCertificates.Create(MxHost);
        using var other = TestCertificates.Create(MxHost);
        var unusable = new TlsaRecord(1, 1, 1, SHA256.HashData(other.PublicKey.ExportSubjectPublicKeyInfo()));

        await using var tls = TlsServer(certificate);
        await using (var agent = Agent(tls, Dns(signed: true).AddTlsa(TlsaName(tls), unusable)))
        {
            Assert.Equal(OutcomeKind.Delivered, (await Deliver(agent)).Kind);
            Assert.NotNull(Assert.Single(tls.Transactions).Tls);
        }

        await using var plaintext = new FakeSmtpServer(PlainKeywords);
        await using (var agent = Agent(plaintext, Dns(signed: true).AddTlsa(TlsaName(plaintext), unusable)))
        {
            var outcome = await Deliver(agent);
            Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
            Assert.Contains("TLS required by policy (encrypt): STARTTLS not offered by mx.example.test", outcome.Diagnostic, StringComparison.Ordinal);
            Assert.False(SentMail(plaintext));
        }
    }

    [Fact]
    public async Task A_failed_tlsa_lookup_under_a_signed_mx_skips_the_host()
    {
        // RFC 7672 2.1.1: a SERVFAIL for the TLSA records cannot be told from an attacker stripping them.
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var dns = new InMemoryDnsResolver()
            .AddMx(Domain, 10, "mx1.example.test").AddMx(Domain, 20, "mx2.example.test")
            .AddA("mx1.example.test", IPAddress.Loopback).AddA("mx2.example.test", IPAddress.Loopback)
            .AddTlsa($"_{server.Port}._tcp.mx2.example.test", DaneEe(certificate))
            .SetStatus($"_{server.Port}._tcp.mx1.example.test", DnsRecordType.Tlsa, DnsStatus.ServerFailure)
            .SetSigned(Domain);
        await using var agent = Agent(server, dns);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.Equal("mx2.example.test", outcome.RemoteMta);
        Assert.Equal(1, server.Connections);

        // With the only host's lookup failing the destination is deferred without a connection.
        await using var alone = TlsServer(certificate);
        var failing = Dns(signed: true).SetStatus(TlsaName(alone), DnsRecordType.Tlsa, DnsStatus.ServerFailure);
        await using var agentAlone = Agent(alone, failing);

        var deferred = await Deliver(agentAlone);

        Assert.Equal(OutcomeKind.TransientFailure, deferred.Kind);
        Assert.Contains($"TLS required by DANE: no usable MX host for example.test (TLSA lookup of {TlsaName(alone)} failed (ServerFailure))", deferred.Diagnostic, StringComparison.Ordinal);
        Assert.Equal(0, alone.Connections);
    }

    [Fact]
    public async Task An_unsigned_mx_answer_means_no_dane_and_opportunistic_tls()
    {
        // RFC 7672 2.2.2: when the MX RRset is not authenticated an attacker could have chosen the host, so its
        // TLSA records (here: wrong ones) are not even asked for.
        using var certificate = TestCertificates.Create("self-signed.test");
        using var other = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var dns = Dns(signed: false).AddTlsa(TlsaName(server), DaneEe(other));
        await using var agent = Agent(server, dns);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.NotNull(Assert.Single(server.Transactions).Tls);
        Assert.Equal(0, dns.QueryCount(TlsaName(server)));
    }

    [Fact]
    public async Task Level_none_never_sends_starttls()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        await using var agent = Agent(server, Dns(signed: false), Table(TlsLevel.May, (Domain, new TlsPolicyEntry(TlsLevel.None))));

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.DoesNotContain("STARTTLS", server.Commands);
        Assert.Null(Assert.Single(server.Transactions).Tls);
    }

    [Fact]
    public async Task Opportunistic_tls_whose_handshake_fails_is_retried_in_plaintext_and_mandatory_tls_is_not()
    {
        // A certificate without its private key: the server announces STARTTLS, says 220 and then cannot do the
        // handshake, as a misconfigured MX does. "may" takes what it gets (RFC 7435: plaintext beats no mail; Postfix
        // retries such a server without TLS); "encrypt" must not.
        using var certificate = TestCertificates.Create(MxHost);
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        await using var server = TlsServer(publicOnly);
        await using (var agent = Agent(server, Dns(signed: false)))
        {
            var outcome = await Deliver(agent);

            Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
            Assert.Null(Assert.Single(server.Transactions).Tls);
            Assert.Equal(2, server.Connections);
            Assert.Equal(["STARTTLS"], server.Commands.Where(c => c == "STARTTLS"));
        }

        await using (var agent = Agent(server, Dns(signed: false), Table(TlsLevel.May, (Domain, new TlsPolicyEntry(TlsLevel.Encrypt)))))
        {
            var outcome = await Deliver(agent);

            Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
            Assert.Contains("TLS required by policy (encrypt): TLS handshake with mx.example.test failed", outcome.Diagnostic, StringComparison.Ordinal);
            Assert.Equal(3, server.Connections);
            Assert.Single(server.Transactions);
        }
    }

    [Fact]
    public async Task Mta_sts_testing_mode_delivers_when_the_handshake_fails_and_reports_it()
    {
        using var certificate = TestCertificates.Create(MxHost);
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        await using var server = TlsServer(publicOnly);
        var reports = new RecordingTlsRpt();
        await using var agent = Agent(server, Dns(signed: false), mtaSts: new FixedMtaSts(Policy(MtaStsMode.Testing, MxHost)), reports: reports);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.Null(Assert.Single(server.Transactions).Tls);
        var (policy, failure) = Assert.Single(reports.Failures);
        Assert.Equal(TlsRptPolicyTypes.Sts, policy.PolicyType);
        Assert.Equal(TlsRptResultTypes.ValidationFailure, failure.ResultType);
    }

    [Fact]
    public async Task The_default_level_encrypt_refuses_plaintext_where_no_policy_is_published()
    {
        // delivery.tls.level: encrypt and a destination with neither DANE nor MTA-STS.
        await using var plaintext = new FakeSmtpServer(PlainKeywords);
        await using var agent = Agent(plaintext, Dns(signed: false), Table(TlsLevel.Encrypt));

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Contains("TLS required by policy (encrypt): STARTTLS not offered by mx.example.test", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.False(SentMail(plaintext));
    }

    [Fact]
    public async Task Mta_sts_testing_mode_delivers_despite_a_bad_certificate_and_reports_the_failure()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var reports = new RecordingTlsRpt();
        var sts = new FixedMtaSts(Policy(MtaStsMode.Testing, MxHost));
        await using var agent = Agent(server, Dns(signed: false), mtaSts: sts, reports: reports);

        var outcome = await Deliver(agent);

        // A self-signed certificate fails PKIX (RFC 8461 4.2); testing mode reports and delivers (RFC 8461 5).
        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.NotNull(Assert.Single(server.Transactions).Tls);
        var (policy, failure) = Assert.Single(reports.Failures);
        Assert.Equal(TlsRptPolicyTypes.Sts, policy.PolicyType);
        Assert.Equal(["version: STSv1", "mode: testing", "mx: mx.example.test", "max_age: 86400"], policy.PolicyStrings);
        Assert.Equal(TlsRptResultTypes.CertificateNotTrusted, failure.ResultType);
        Assert.Equal(MxHost, failure.ReceivingMxHostname);
        Assert.Empty(reports.Successes);
    }

    [Fact]
    public async Task Mta_sts_enforce_with_no_matching_mx_defers_without_connecting()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var reports = new RecordingTlsRpt();
        await using var agent = Agent(server, Dns(signed: false), mtaSts: new FixedMtaSts(Policy(MtaStsMode.Enforce, "mail.example.test")), reports: reports);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Contains("TLS required by MTA-STS policy of example.test: no MX host matches the policy (mx.example.test not in mail.example.test)", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.Equal(TlsRptResultTypes.ValidationFailure, Assert.Single(reports.Failures).Failure.ResultType);
    }

    [Fact]
    public async Task Mta_sts_enforce_defers_a_server_without_starttls_and_reports_it()
    {
        await using var plaintext = new FakeSmtpServer(PlainKeywords);
        var reports = new RecordingTlsRpt();
        await using var agent = Agent(plaintext, Dns(signed: false), mtaSts: new FixedMtaSts(Policy(MtaStsMode.Enforce, MxHost)), reports: reports);

        var outcome = await Deliver(agent);

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Contains("TLS required by MTA-STS policy of example.test: STARTTLS not offered by mx.example.test", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.False(SentMail(plaintext));
        var (policy, failure) = Assert.Single(reports.Failures);
        Assert.Equal(TlsRptPolicyTypes.Sts, policy.PolicyType);
        Assert.Equal(TlsRptResultTypes.StartTlsNotSupported, failure.ResultType);
    }

    [Fact]
    public async Task Requiretls_goes_over_a_verify_entry_with_a_pinned_ca()
    {
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.Issue(MxHost);
        await using var server = TlsServer(certificate, [.. PlainKeywords, "REQUIRETLS"]);
        var table = Table(TlsLevel.May, (Domain, new TlsPolicyEntry(TlsLevel.Verify, null, [ca.Root, ca.Intermediate])));
        await using var agent = Agent(server, Dns(signed: false), table);

        var outcome = await Deliver(agent, envelope: e => e with { RequireTls = true });

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.EndsWith(" REQUIRETLS", Assert.Single(server.Transactions).MailFrom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requiretls_is_passed_on_to_a_server_that_offers_it()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate, [.. PlainKeywords, "REQUIRETLS"]);
        await using var agent = DaneAgent(server, certificate);

        var outcome = await Deliver(agent, envelope: e => e with { RequireTls = true });

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        var transaction = Assert.Single(server.Transactions);
        Assert.EndsWith(" REQUIRETLS", transaction.MailFrom, StringComparison.Ordinal);
        Assert.NotNull(transaction.Tls);
    }

    [Fact]
    public async Task Requiretls_fails_permanently_with_5_7_30_when_no_server_offers_it()
    {
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        await using var agent = DaneAgent(server, certificate);

        var outcome = await Deliver(agent, envelope: e => e with { RequireTls = true });

        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal("5.7.30", outcome.RemoteEnhancedCode);
        Assert.StartsWith("550 5.7.30 REQUIRETLS support required: REQUIRETLS was not offered by mx.example.test", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.False(SentMail(server));
    }

    [Fact]
    public async Task Requiretls_fails_permanently_with_5_7_10_without_a_verified_path()
    {
        // Unsigned MX, no MTA-STS, no table entry: opportunistic TLS only, which REQUIRETLS does not accept.
        using var certificate = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate, [.. PlainKeywords, "REQUIRETLS"]);
        await using var agent = Agent(server, Dns(signed: false));

        var outcome = await Deliver(agent, envelope: e => e with { RequireTls = true });

        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal("5.7.10", outcome.RemoteEnhancedCode);
        Assert.StartsWith("550 5.7.10 REQUIRETLS: no verified TLS path to mx:example.test", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Tls_required_no_delivers_to_a_dane_mismatch_destination()
    {
        using var certificate = TestCertificates.Create(MxHost);
        using var other = TestCertificates.Create(MxHost);
        await using var server = TlsServer(certificate);
        var dns = Dns(signed: true).AddTlsa(TlsaName(server), DaneEe(other));
        await using var agent = Agent(server, dns);

        var refused = await Deliver(agent);
        Assert.Equal(OutcomeKind.TransientFailure, refused.Kind);

        // RFC 8689 4: the sender asked that the recipient's TLS policy be ignored; TLS is still used when offered.
        var outcome = await Deliver(agent, envelope: e => e with { TlsRequiredNo = true });

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.NotNull(Assert.Single(server.Transactions).Tls);
    }

    private static MtaStsPolicy Policy(MtaStsMode mode, string mx)
    {
        var text = $"version: STSv1\r\nmode: {(mode == MtaStsMode.Enforce ? "enforce" : "testing")}\r\nmx: {mx}\r\nmax_age: 86400\r\n";
        return new MtaStsPolicy(mode, [mx], TimeSpan.FromDays(1), text);
    }

    private sealed class FixedMtaSts(MtaStsPolicy policy) : IMtaStsPolicySource
    {
        public ValueTask<MtaStsLookup> GetPolicyAsync(string domain, CancellationToken ct) =>
            ValueTask.FromResult(string.Equals(domain, Domain, StringComparison.OrdinalIgnoreCase) ? new MtaStsLookup(policy, "id1") : MtaStsLookup.NoPolicy);
    }

    private sealed class RecordingTlsRpt : ITlsRptRecorder
    {
        public ConcurrentQueue<TlsRptPolicy> Successes { get; } = new();

        public ConcurrentQueue<(TlsRptPolicy Policy, TlsRptFailure Failure)> Failures { get; } = new();

        public void RecordSuccess(TlsRptPolicy policy) => Successes.Enqueue(policy);

        public void RecordFailure(TlsRptPolicy policy, TlsRptFailure failure) => Failures.Enqueue((policy, failure));
    }
}
