using System.Globalization;
using System.Net;
using Gateway.Testing;

namespace Gateway.IntegrationTests.Fixtures;

/// <summary>
/// A policy directory for one test: a gateway.yaml on free loopback ports with the options a test asks for.
/// Everything lives in a fresh temp directory, so tests never share state.
/// </summary>
public sealed class TestPolicy
{
    public TestPolicy(
        IReadOnlyList<string>? domains = null,
        IReadOnlyList<string>? trustedNetworks = null,
        string? extraListenerYaml = null,
        string? extraYaml = null,
        string? credentialsFileContent = null,
        bool requireTls = false,
        IPEndPoint? dnsServer = null,
        string? authenticationYaml = null,
        string? tlsYaml = null,
        bool dnssecValidating = false)
    {
        Directory = TestDirectories.CreateTemp("gw-it");
        var ports = FreePort.Many(2);
        SmtpPort = ports[0];
        AdminPort = ports[1];
        Domains = domains ?? ["example.test", "ours.test"];
        TrustedNetworks = trustedNetworks ?? ["10.99.0.0/16"];
        CredentialsFileContent = credentialsFileContent;
        RequireTls = requireTls;
        ExtraListenerYaml = extraListenerYaml;
        ExtraYaml = extraYaml;
        DnsServer = dnsServer ?? new IPEndPoint(IPAddress.Loopback, 9);
        DnssecValidating = dnssecValidating;
        AuthenticationYaml = authenticationYaml ?? ChecksOff;
        TlsYaml = tlsYaml ?? "tls:\n  certificate: auto";
        Write();
    }

    /// <summary>
    /// Sender authentication off: tests about other things send inbound mail from 127.0.0.1 with no DNS
    /// server that answers, where SPF and DMARC would (rightly) answer temperror and tempfail the message.
    /// </summary>
    public const string ChecksOff =
        "authentication:\n  spf:\n    verify: false\n  dkim:\n    verify: false\n  arc:\n    verify: false\n  dmarc:\n    verify: false\n";

    public string Directory { get; }

    /// <summary>The tls: section, verbatim (top level); by default a self-signed certificate.</summary>
    public string TlsYaml { get; }

    /// <summary>The authentication: section, verbatim (top level).</summary>
    public string AuthenticationYaml { get; }

    public string MainFile => Path.Combine(Directory, "gateway.yaml");

    public int SmtpPort { get; }

    public int AdminPort { get; }

    public IPEndPoint SmtpEndPoint => new(IPAddress.Loopback, SmtpPort);

    public Uri AdminUri => new($"http://127.0.0.1:{AdminPort.ToString(CultureInfo.InvariantCulture)}/");

    public IReadOnlyList<string> Domains { get; set; }

    public IReadOnlyList<string> TrustedNetworks { get; set; }

    public string? CredentialsFileContent { get; }

    public bool RequireTls { get; }

    public string? ExtraListenerYaml { get; }

    public string? ExtraYaml { get; set; }

    /// <summary>admin.token_file (the bearer token of the quarantine endpoints); null: none.</summary>
    public string? AdminTokenFile { get; set; }

    /// <summary>
    /// The only name server the gateway may ask (tests moving to another server call <see cref="Write"/>). Tests never reach DNS outside this machine: by default it is
    /// 127.0.0.1:9, where nothing answers, so an unplanned lookup fails (temporarily) instead of leaving loopback.
    /// </summary>
    public IPEndPoint DnsServer { get; set; }

    /// <summary>
    /// dns.dnssec: validating: the DNS server is a validating resolver (the tests' unbound), whose AD bit the gateway
    /// may trust, as DANE needs.
    /// </summary>
    public bool DnssecValidating { get; }

    /// <summary>Writes gateway.yaml from the current settings (tests change Domains and call this for reload tests).</summary>
    public void Write()
    {
        var credentials = string.Empty;
        if (CredentialsFileContent is not null)
        {
            File.WriteAllText(Path.Combine(Directory, "credentials"), CredentialsFileContent);
            // The test user "alice" sends as any address at example.org (the senders the tests use).
            credentials = "auth:\n  credentials_file: credentials\n  allow_relay: true\n  senders:\n    alice: [\"@example.org\"]\n";
        }

        var yaml =
            $"""
            hostname: mx.gateway.test
            domains: [{string.Join(", ", Domains)}]
            trusted_networks: [{string.Join(", ", TrustedNetworks.Select(n => $"\"{n}\""))}]
            state_directory: var
            listeners:
              - name: inbound
                address: 127.0.0.1:{SmtpPort.ToString(CultureInfo.InvariantCulture)}
                tls: starttls
                auth: true
                require_tls: {(RequireTls ? "true" : "false")}
            {ExtraListenerYaml ?? string.Empty}
            {TlsYaml}
            {credentials}admin:
              listen: 127.0.0.1:{AdminPort.ToString(CultureInfo.InvariantCulture)}
            {(AdminTokenFile is null ? string.Empty : $"  token_file: {AdminTokenFile}")}
            logging:
              format: json
              level: information
            dns:
              servers: ["{DnsServer}"]
              timeout: 1s
            {(DnssecValidating ? "  dnssec: validating\n" : string.Empty)}{ExtraYaml ?? string.Empty}
            """ + "\n" + AuthenticationYaml;

        // Write-then-rename, as editors do, so the watcher never reads a half-written file.
        var temporary = MainFile + ".tmp";
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, MainFile, overwrite: true);
    }
}
