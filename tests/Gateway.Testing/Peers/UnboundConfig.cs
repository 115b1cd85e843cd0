using System.Globalization;
using System.Net;
using System.Text;

namespace Gateway.Testing.Peers;

/// <summary>The unbound.conf of a <see cref="UnboundResolver"/>.</summary>
internal static class UnboundConfig
{
    /// <summary>
    /// Every IPv4 block but 127.0.0.0/8 (and all of IPv6): unbound refuses to send a query there, so even a
    /// referral out of the test zones cannot reach another machine.
    /// </summary>
    private static readonly string[] NotLoopback =
    [
        "0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/4", "112.0.0.0/5", "120.0.0.0/6", "124.0.0.0/7", "126.0.0.0/8", "128.0.0.0/1", "::/0",
    ];

    public static string Write(string directory, int port, IPEndPoint authority, IReadOnlyCollection<UnboundStub> zones)
    {
        var at = authority.Address + "@" + authority.Port.ToString(CultureInfo.InvariantCulture);
        var config = new StringBuilder();
        config.Append("server:\n")
            .Append("    interface: 127.0.0.1@").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("    port: ").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("    do-ip6: no\n")
            .Append("    access-control: 127.0.0.0/8 allow\n")

            // No chroot, no privilege drop, everything in the temp directory: runs as root or not, without /etc/unbound.
            .Append("    chroot: \"\"\n    username: \"\"\n")
            .Append("    directory: \"").Append(directory).Append("\"\n")
            .Append("    pidfile: \"").Append(Path.Combine(directory, "unbound.pid")).Append("\"\n")
            .Append("    use-syslog: no\n    logfile: \"\"\n    verbosity: 1\n    num-threads: 1\n")

            // Validate: a failed validation is a SERVFAIL (and logged why); missing signatures below an anchor are bogus.
            .Append("    module-config: \"validator iterator\"\n")
            .Append("    val-log-level: 2\n")
            .Append("    harden-dnssec-stripped: yes\n")

            // No root trust anchor, no RFC 8145 key-tag signalling queries, no RFC 8509 sentinel: only the test anchors.
            .Append("    auto-trust-anchor-file: \"\"\n")
            .Append("    trust-anchor-signaling: no\n")
            .Append("    root-key-sentinel: no\n")

            // The test zones live on 127.0.0.1, which unbound by default never asks.
            .Append("    do-not-query-localhost: no\n")

            // .test is one of unbound's built-in empty local zones (RFC 6761 6.2): let it through to the stubs.
            .Append("    local-zone: \"test.\" nodefault\n");
        foreach (var block in NotLoopback)
        {
            config.Append("    do-not-query-address: ").Append(block).Append('\n');
        }

        foreach (var zone in zones)
        {
            config.Append(zone.TrustAnchor is { } anchor
                ? $"    trust-anchor: \"{anchor}\"\n"
                : $"    domain-insecure: \"{zone.Zone}\"\n");
        }

        foreach (var zone in zones)
        {
            config.Append("stub-zone:\n    name: \"").Append(zone.Zone).Append("\"\n    stub-addr: ").Append(at).Append('\n');
        }

        // The root itself is a stub to knot, which refuses it: the built-in root hints are never used.
        config.Append("stub-zone:\n    name: \".\"\n    stub-addr: ").Append(at).Append('\n');
        return config.ToString();
    }
}
