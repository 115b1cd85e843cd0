using System.Net;
using Gateway.Abstractions;

namespace Gateway.Policy.Tests;

/// <summary>tls: certificates (single and list), watch interval, REQUIRETLS switch, require_for; errors at file:line:column.</summary>
public sealed class TlsPolicyTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public TlsPolicyTests()
    {
        _files.Write("certs/a.pem", "placeholder");
        _files.Write("certs/a.key", "placeholder");
        _files.Write("certs/b.pem", "placeholder");
    }

    public void Dispose() => _files.Dispose();

    private GatewayPolicy Valid(string tls)
    {
        var result = _files.Load(PolicyFiles.Minimal + tls);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!;
    }

    private void AssertError(string tls, int line, int column, string messagePart)
    {
        var result = _files.Load(PolicyFiles.Minimal + tls);
        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("gateway.yaml"), error.File);
        Assert.True(line == error.Line && column == error.Column, $"expected {line}:{column}, got {error}");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_a_self_signed_certificate_and_no_extra_tls_requirement()
    {
        var tls = Valid(string.Empty).Tls;

        Assert.True(tls.AutoCertificate);
        Assert.Empty(tls.Certificates);
        Assert.Equal(TimeSpan.FromMinutes(1), tls.WatchInterval);
        Assert.True(tls.RequireTlsExtension);
        Assert.Equal(TlsCipherPolicy.System, tls.Ciphers);
        Assert.Empty(tls.RequireFor.Networks);
        Assert.Empty(tls.RequireFor.SenderDomains);
    }

    [Fact]
    public void The_single_pair_comes_first_then_the_list_in_order()
    {
        var tls = Valid("""
            tls:
              certificate: certs/a.pem
              key: certs/a.key
              certificates:
                - certificate: certs/b.pem
                  key: certs/b.pem
              watch_interval: 5s
              ciphers: strict
              requiretls: false
            """).Tls;

        Assert.False(tls.AutoCertificate);
        Assert.Equal([_files.PathOf("certs/a.pem"), _files.PathOf("certs/b.pem")], tls.Certificates.Select(c => c.CertificateFile));
        Assert.Equal([_files.PathOf("certs/a.key"), _files.PathOf("certs/b.pem")], tls.Certificates.Select(c => c.KeyFile));
        Assert.Equal(_files.PathOf("certs/a.pem"), tls.CertificateFile);
        Assert.Equal(new PolicyPosition(_files.PathOf("gateway.yaml"), 9, 20), tls.Certificates[1].CertificateSource);
        Assert.Equal(new PolicyPosition(_files.PathOf("gateway.yaml"), 10, 12), tls.Certificates[1].KeySource);
        Assert.Equal(TimeSpan.FromSeconds(5), tls.WatchInterval);
        Assert.Equal(TlsCipherPolicy.Strict, tls.Ciphers);
        Assert.False(tls.RequireTlsExtension);
    }

    [Fact]
    public void A_list_alone_is_enough()
    {
        var tls = Valid("tls:\n  certificates:\n    - {certificate: certs/a.pem, key: certs/a.key}\n").Tls;

        Assert.False(tls.AutoCertificate);
        Assert.Single(tls.Certificates);
    }

    [Fact]
    public void Require_for_reads_networks_and_sender_domains_in_canonical_form()
    {
        var tls = Valid("""
            tls:
              require_for:
                networks: ["192.0.2.0/24", "2001:db8::/32"]
                sender_domains: [Partner.Example, .bank.example, bücher.example]
            """).Tls;

        Assert.Equal([IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8::/32")], tls.RequireFor.Networks);
        Assert.Equal(["partner.example", ".bank.example", "xn--bcher-kva.example"], tls.RequireFor.SenderDomains);
    }

    [Theory]
    [InlineData("tls:\n  certificates:\n    - certificate: certs/missing.pem\n      key: certs/a.key\n", 7, 20, "tls.certificates[0].certificate: file")]
    [InlineData("tls:\n  certificates:\n    - certificate: certs/a.pem\n", 7, 20, "tls.certificates[0].key is required")]
    [InlineData("tls:\n  certificates:\n    - key: certs/a.key\n", 7, 7, "tls.certificates[0].certificate is required")]
    [InlineData("tls:\n  certificates:\n    - {certificate: certs/a.pem, key: certs/a.key, chain: x}\n", 7, 52, "unknown key 'chain'")]
    [InlineData("tls:\n  certificates: []\n", 6, 17, "list at least one certificate")]
    [InlineData("tls:\n  certificate: auto\n  certificates:\n    - {certificate: certs/a.pem, key: certs/a.key}\n", 8, 5, "cannot be combined with tls.certificate: auto")]
    [InlineData("tls:\n  watch_interval: 0s\n", 6, 19, "tls.watch_interval")]
    [InlineData("tls:\n  requiretls: yes\n", 6, 15, "expected true or false")]
    [InlineData("tls:\n  ciphers: modern\n", 6, 12, "tls.ciphers")]
    [InlineData("tls:\n  require_for:\n    networks: [\"192.0.2.0/33\"]\n", 7, 16, "tls.require_for.networks[0]")]
    [InlineData("tls:\n  require_for:\n    sender_domains: [\"bad..example\"]\n", 7, 22, "tls.require_for.sender_domains[0]")]
    [InlineData("tls:\n  require_for:\n    senders: [a.example]\n", 7, 5, "unknown key 'senders'")]
    public void Mistakes_are_reported_where_they_are(string tls, int line, int column, string message) =>
        AssertError(tls, line, column, message);

    [Fact]
    public void Tls_requirement_matches_networks_exact_domains_and_subdomains_written_with_a_dot()
    {
        var requirement = new TlsRequirement(new TlsRequirementPolicy
        {
            Networks = [IPNetwork.Parse("192.0.2.0/24")],
            SenderDomains = ["partner.example", ".bank.example"],
        });
        SessionFacts From(string ip) => new()
        {
            SessionId = "s",
            ListenerName = "inbound",
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse(ip), 40000),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
            ConnectedAt = DateTimeOffset.UnixEpoch,
        };
        var elsewhere = From("198.51.100.1");

        Assert.NotNull(requirement.Reason(From("192.0.2.9"), null));
        Assert.NotNull(requirement.Reason(From("::ffff:192.0.2.9"), new Mailbox("a", "other.example")));
        Assert.NotNull(requirement.Reason(elsewhere, new Mailbox("a", "partner.example")));
        Assert.Null(requirement.Reason(elsewhere, new Mailbox("a", "mail.partner.example")));
        Assert.NotNull(requirement.Reason(elsewhere, new Mailbox("a", "mail.bank.example")));
        Assert.Null(requirement.Reason(elsewhere, new Mailbox("a", "bank.example")));
        Assert.Null(requirement.Reason(elsewhere, new Mailbox("a", "notbank.example")));
        Assert.Null(requirement.Reason(elsewhere, null));

        // Once TLS is up nothing is required any more.
        var secure = From("192.0.2.9") with { Tls = new TlsFacts(System.Security.Authentication.SslProtocols.Tls13, System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256) };
        Assert.Null(requirement.Reason(secure, new Mailbox("a", "partner.example")));
    }
}
