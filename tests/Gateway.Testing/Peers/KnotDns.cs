using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private authoritative DNS server (Debian's knot) on 127.0.0.1 serving test zones, so the real gateway
/// resolves MX records over the wire without ever asking a DNS server outside this machine.
/// </summary>
public sealed class KnotDns : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private KnotDns(Process process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts knotd with the zones given as (origin, zone-file text without SOA/NS, which are added).</summary>
    public static async Task<KnotDns> StartAsync(IReadOnlyDictionary<string, string> zones)
    {
        var directory = TestDirectories.CreateTemp("gw-knot");
        var port = FreePort.Next();
        var config = new System.Text.StringBuilder();
        config.Append("server:\n")
            .Append("    rundir: \"").Append(directory).Append("\"\n")
            .Append("    listen: 127.0.0.1@").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("log:\n  - target: stderr\n    any: warning\n")
            .Append("database:\n    storage: \"").Append(directory).Append("\"\n")
            .Append("template:\n  - id: default\n    storage: \"").Append(directory).Append("\"\n    file: \"%s.zone\"\n")
            .Append("zone:\n");
        foreach (var (origin, records) in zones)
        {
            config.Append("  - domain: ").Append(origin).Append('\n');
            await File.WriteAllTextAsync(Path.Combine(directory, origin + ".zone"),
                $"$ORIGIN {origin}.\n$TTL 60\n@ SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n@ NS ns.{origin}.\nns A 127.0.0.1\n{records}\n");
        }

        var configFile = Path.Combine(directory, "knot.conf");
        await File.WriteAllTextAsync(configFile, config.ToString());

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
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                // knot answers on TCP as well as UDP: a TCP connect means it has loaded and is listening.
                using var probe = new TcpClient();
                await probe.ConnectAsync(endPoint);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("knotd exited: " + await stderr);
                }

                await Task.Delay(100);
            }
        }

        return new KnotDns(process, directory, endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
