using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private authoritative DNS server (Debian's knot) on 127.0.0.1 serving test zones, so the real gateway
/// resolves MX records over the wire without ever asking a DNS server outside this machine. Zones named as
/// signed are DNSSEC-signed by knot itself (automatic signing, keys in the temp directory), so a validating
/// resolver (<see cref="UnboundResolver"/>) can be pointed at them with <see cref="TrustAnchor"/>.
/// </summary>
public sealed class KnotDns : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly Dictionary<string, string> _trustAnchors;

    private KnotDns(Process process, string directory, IPEndPoint endPoint, Dictionary<string, string> trustAnchors)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
        _trustAnchors = trustAnchors;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts knotd with the zones given as (origin, zone-file text without SOA/NS, which are added).</summary>
    public static Task<KnotDns> StartAsync(IReadOnlyDictionary<string, string> zones) => StartAsync(zones, []);

    /// <summary>
    /// Starts knotd with the zones given as (origin, zone-file text without SOA/NS, which are added), those in
    /// <paramref name="signedZones"/> DNSSEC-signed; returns once every signed zone is served signed.
    /// </summary>
    public static async Task<KnotDns> StartAsync(IReadOnlyDictionary<string, string> zones, IReadOnlyCollection<string> signedZones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(signedZones);
        var unknown = signedZones.Where(s => !zones.ContainsKey(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("signed zones not among the zones: " + string.Join(", ", unknown), nameof(signedZones));
        }

        var directory = TestDirectories.CreateTemp("gw-knot");
        var port = FreePort.Next();
        var configFile = Path.Combine(directory, "knot.conf");
        await File.WriteAllTextAsync(configFile, Config(directory, port, zones.Keys, signedZones));
        foreach (var (origin, records) in zones)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, origin + ".zone"),
                $"$ORIGIN {origin}.\n$TTL 60\n@ SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n@ NS ns.{origin}.\nns A 127.0.0.1\n{records}\n");
        }

        var info = new ProcessStartInfo(ExternalTool.Require("knotd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(configFile);
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            // knot answers on TCP as well as UDP: a TCP connect means it has loaded and is listening.
            await PeerStartup.WaitListeningAsync("knotd", endPoint, process, stderr);
            var anchors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var zone in signedZones)
            {
                await KnotSigning.WaitSignedAsync(endPoint, zone, () => process.HasExited);
                anchors[zone] = await KnotSigning.DsAsync(configFile, zone);
            }

            return new KnotDns(process, directory, endPoint, anchors);
        }
        catch
        {
            // A fixture that fails to start is never disposed by its test class: stop knot here.
            await StopAsync(process, directory);
            throw;
        }
    }

    /// <summary>
    /// The DS record (SHA-256 digest of the zone's key-signing key) of a signed zone in presentation form,
    /// e.g. "signed.test. DS 44587 13 2 59..": what a parent zone would publish, and what a validating
    /// resolver takes as the zone's trust anchor (unbound's trust-anchor: clause).
    /// </summary>
    public string TrustAnchor(string zone) =>
        _trustAnchors.TryGetValue(zone.TrimEnd('.'), out var anchor)
            ? anchor
            : throw new ArgumentException($"'{zone}' is not a signed zone of this server", nameof(zone));

    public async ValueTask DisposeAsync() => await StopAsync(_process, _directory);

    private static string Config(string directory, int port, IEnumerable<string> zones, IReadOnlyCollection<string> signedZones)
    {
        var config = new StringBuilder();
        config.Append("server:\n")
            .Append("    rundir: \"").Append(directory).Append("\"\n")
            .Append("    listen: 127.0.0.1@").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("log:\n  - target: stderr\n    any: warning\n")
            .Append("database:\n    storage: \"").Append(directory).Append("\"\n")
            .Append("    kasp-db: \"").Append(Path.Combine(directory, "keys")).Append("\"\n")

            // One combined signing key per zone (RFC 6781 3.1.1 allows it): its DS is the only anchor a test needs.
            // ECDSA P-256 (algorithm 13) is what validators must support (RFC 8624 3.1) and signs fast.
            .Append("policy:\n  - id: test\n    algorithm: ecdsap256sha256\n    single-type-signing: on\n")
            .Append("template:\n  - id: default\n    storage: \"").Append(directory).Append("\"\n    file: \"%s.zone\"\n")
            .Append("zone:\n");
        foreach (var origin in zones)
        {
            config.Append("  - domain: ").Append(origin).Append('\n');
            if (signedZones.Contains(origin))
            {
                config.Append("    dnssec-signing: on\n    dnssec-policy: test\n");
            }
        }

        return config.ToString();
    }

    private static async Task StopAsync(Process process, string directory)
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
