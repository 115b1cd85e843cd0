using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Transport;
using Gateway.Transport.MtaSts;

namespace Gateway.Policy.Tests;

public sealed class TransportPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus two domains (line 5); appended sections start at line 6.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test, other.test]\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>"delivery:" at line 6, "  tls:" at line 7, <paramref name="body"/> from line 8.</summary>
    private static string DeliveryTls(string body) => Base + "delivery:\n  tls:\n" + body;

    private GatewayPolicy Valid(string text) => _files.Valid(text);

    private void AssertError(string text, int line, int column, string messagePart) => _files.AssertError(text, line, column, messagePart);

    [Fact]
    public void Defaults_are_opportunistic_with_mta_sts_dane_and_reports_on_and_a_testing_policy_of_our_own()
    {
        var policy = Valid(PolicyFiles.Minimal);

        Assert.Equal(TlsLevel.May, policy.Delivery.Tls.Level);
        Assert.True(policy.Delivery.Tls.MtaSts);
        Assert.True(policy.Delivery.Tls.Dane);
        Assert.Empty(policy.Delivery.Tls.Destinations);
        Assert.True(policy.Delivery.Tls.Reporting.Enabled);
        Assert.Equal(MtaStsMode.Testing, policy.MtaSts.Mode);
        Assert.Null(policy.MtaSts.Listen);
        Assert.Equal(TimeSpan.FromDays(7), policy.MtaSts.MaxAge);
    }

    [Fact]
    public void Destinations_take_a_level_or_a_mapping_with_match_and_ca()
    {
        var ca = _files.Write("partner-ca.pem", TestCaPem());
        var policy = Valid(DeliveryTls(
            "    level: encrypt\n    mta_sts: false\n    dane: false\n    destinations:\n      Example.ORG: verify\n      .bank.test: none\n" +
            $"      partner.test: {{level: verify, match: [mx.partner.test], ca: {ca}}}\n" +
            "    reporting: {enabled: false, organization: Example Org, contact: tls@example.test}\n"));

        var tls = policy.Delivery.Tls;
        Assert.Equal(TlsLevel.Encrypt, tls.Level);
        Assert.False(tls.MtaSts);
        Assert.False(tls.Dane);
        Assert.Equal(TlsLevel.Verify, tls.Destinations["example.org"].Level);
        Assert.Equal(TlsLevel.None, tls.Destinations[".bank.test"].Level);
        Assert.Equal(["mx.partner.test"], tls.Destinations["partner.test"].Match);
        Assert.Equal(ca, tls.Destinations["partner.test"].CaFile);
        Assert.False(tls.Reporting.Enabled);
        Assert.Equal("Example Org", tls.Reporting.Organization);
        Assert.Equal("tls@example.test", tls.Reporting.Contact);
    }

    [Theory]
    [InlineData("    level: paranoid\n", 8, 12, "delivery.tls.level")]
    [InlineData("    destinations:\n      example.org: strict\n", 9, 20, "delivery.tls.destinations.example.org")]
    [InlineData("    destinations:\n      exa mple.org: verify\n", 9, 7, "delivery.tls.destinations.exa mple.org")]
    [InlineData("    destinations:\n      example.org: {level: may, match: [mx.example.org]}\n", 9, 20, "match and ca apply to level verify only")]
    [InlineData("    destinations:\n      example.org: {match: [mx.example.org]}\n", 9, 20, "delivery.tls.destinations.example.org.level is required")]
    [InlineData("    destinations:\n      example.org: {level: verify, ca: /nonexistent/ca.pem}\n", 9, 40, "does not exist")]
    [InlineData("    reporting: {contact: not an address}\n", 8, 26, "delivery.tls.reporting.contact")]
    [InlineData("    levle: may\n", 8, 5, "did you mean 'level'?")]
    public void Bad_outbound_tls_settings_are_reported_where_they_are(string body, int line, int column, string messagePart) =>
        AssertError(DeliveryTls(body), line, column, messagePart);

    private const string ValidatingDns = "dns:\n  servers: [127.0.0.1]\n  dnssec: validating\n";

    // A level that rests on DNSSEC or on MTA-STS lookups the policy switches off would silently never act:
    // dane and mta-sts would be "may", and dane-only would hold the mail until it bounces.
    [Theory]
    [InlineData("    destinations:\n      strict.example: dane-only\n", 9, 23, "delivery.tls.destinations.strict.example: 'dane-only' needs dns.dnssec: validating")]
    [InlineData("    destinations:\n      strict.example: {level: dane}\n", 9, 31, "delivery.tls.destinations.strict.example.level: 'dane' needs dns.dnssec: validating")]
    [InlineData("    level: dane-only\n", 8, 12, "delivery.tls.level: 'dane-only' needs dns.dnssec: validating")]
    [InlineData("    mta_sts: false\n    destinations:\n      strict.example: mta-sts\n", 10, 23, "'mta-sts' needs delivery.tls.mta_sts: true")]
    public void Levels_whose_lookups_are_switched_off_are_reported_at_the_level(string body, int line, int column, string messagePart) =>
        AssertError(DeliveryTls(body), line, column, messagePart);

    [Fact]
    public void Dane_only_with_dane_switched_off_is_reported_even_with_a_validating_resolver() =>
        AssertError(DeliveryTls("    dane: false\n    destinations:\n      strict.example: dane-only\n") + ValidatingDns, 10, 23, "'dane-only' needs delivery.tls.dane: true");

    [Fact]
    public void Dane_levels_load_with_a_validating_resolver_and_mta_sts_with_its_lookups_on()
    {
        var policy = Valid(DeliveryTls("    level: dane\n    destinations:\n      strict.example: dane-only\n      sts.example: mta-sts\n") + ValidatingDns);

        Assert.Equal(TlsLevel.Dane, policy.Delivery.Tls.Level);
        Assert.Equal(TlsLevel.DaneOnly, policy.Delivery.Tls.Destinations["strict.example"].Level);
        Assert.Equal(TlsLevel.MtaSts, policy.Delivery.Tls.Destinations["sts.example"].Level);
    }

    [Fact]
    public void A_ca_file_without_a_certificate_is_reported_at_its_key()
    {
        var ca = _files.Write("not-a-ca.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        AssertError(DeliveryTls($"    destinations:\n      example.org: {{level: verify, ca: {ca}}}\n"), 9, 40, "delivery.tls.destinations.example.org.ca: no PEM certificate in");
    }

    /// <summary>A throw-away self-signed CA certificate, made here (never a real trust anchor).</summary>
    private static string TestCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test partner CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate.ExportCertificatePem() + "\n";
    }

    [Fact]
    public void Duplicate_destination_after_canonicalisation_is_reported_at_the_second()
        => AssertError(DeliveryTls("    destinations:\n      example.org: verify\n      EXAMPLE.org: may\n"), 10, 7, "is listed twice (first at line 9, column 7)");

    [Fact]
    public void Route_hosts_take_a_tls_level_and_require_tls_means_verify()
    {
        var policy = Valid(Base + "delivery:\n  routes:\n    example.test:\n      - {host: 10.0.0.5, tls: encrypt}\n      - {host: 10.0.0.6, require_tls: true}\n      - {host: 10.0.0.7}\n");

        var hosts = policy.Delivery.Routes["example.test"];
        Assert.Equal(TlsLevel.Encrypt, hosts[0].Tls!.Level);
        Assert.True(hosts[0].RequireTls);
        Assert.Equal(TlsLevel.Verify, hosts[1].Tls!.Level);
        Assert.Null(hosts[2].Tls);
        Assert.False(hosts[2].RequireTls);
    }

    [Fact]
    public void Route_hosts_cannot_be_pinned_to_published_policies_or_given_both_spellings()
    {
        AssertError(Base + "delivery:\n  routes:\n    example.test:\n      - {host: 10.0.0.5, tls: dane}\n", 9, 31, "delivery.routes.example.test[0].tls");
        AssertError(Base + "delivery:\n  routes:\n    example.test:\n      - {host: 10.0.0.5, require_tls: true, tls: may}\n", 9, 50, "either tls or require_tls");
    }

    [Fact]
    public void Our_mta_sts_policy_reads_mode_mx_patterns_max_age_listener_and_report_address()
    {
        var policy = Valid(Base + "mta_sts:\n  mode: enforce\n  mx: [MX1.example.test, '*.example.test']\n  max_age: 14d\n  listen: 127.0.0.1:8443\n  report_to: tlsrpt@example.test\n");

        Assert.Equal(MtaStsMode.Enforce, policy.MtaSts.Mode);
        Assert.Equal(["mx1.example.test", "*.example.test"], policy.MtaSts.Mx);
        Assert.Equal(TimeSpan.FromDays(14), policy.MtaSts.MaxAge);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8443), policy.MtaSts.Listen);
        Assert.Equal("mailto:tlsrpt@example.test", policy.MtaSts.ReportTo);

        var https = Valid(Base + "mta_sts:\n  report_to: https://reports.example.test/tlsrpt\n");
        Assert.Equal("https://reports.example.test/tlsrpt", https.MtaSts.ReportTo);
    }

    [Theory]
    [InlineData("  mode: strict\n", 7, 9, "mta_sts.mode")]
    [InlineData("  mx: ['mx.*.example.test']\n", 7, 8, "mta_sts.mx[0]")]
    [InlineData("  max_age: 400d\n", 7, 12, "mta_sts.max_age")]
    [InlineData("  report_to: 'https://a.test/x,https://b.test/y'\n", 7, 14, "not a usable https URI")]
    public void Bad_mta_sts_settings_are_reported_where_they_are(string body, int line, int column, string messagePart) =>
        AssertError(Base + "mta_sts:\n" + body, line, column, messagePart);
}
