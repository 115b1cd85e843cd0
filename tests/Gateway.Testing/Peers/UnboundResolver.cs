using System.Diagnostics;
using System.Net;

namespace Gateway.Testing.Peers;

/// <summary>
/// A validating recursive resolver (Debian's unbound) on 127.0.0.1 that resolves only test zones, from a local
/// <see cref="KnotDns"/>: the trusted local resolver whose AD bit DANE relies on (RFC 7672 2.1.1). It reads
/// no system configuration or root key, runs as whoever runs the tests (root included), and cannot query
/// anything outside 127.0.0.0/8.
/// </summary>
public sealed class UnboundResolver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private UnboundResolver(Process process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts unbound resolving <paramref name="zones"/> from <paramref name="authority"/>; returns once it answers.</summary>
    public static async Task<UnboundResolver> StartAsync(IPEndPoint authority, IReadOnlyCollection<UnboundStub> zones)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(zones);
        var directory = TestDirectories.CreateTemp("gw-unbound");
        var port = FreePort.Next();
        var configFile = Path.Combine(directory, "unbound.conf");
        await File.WriteAllTextAsync(configFile, UnboundConfig.Write(directory, port, authority, zones));

        var info = new ProcessStartInfo(ExternalTool.Require("unbound"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // -d: stay in the foreground, so the process we hold is the resolver and killing it stops it.
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(configFile);
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            // unbound opens its UDP and TCP sockets together before serving: a TCP connect means both are there.
            await PeerStartup.WaitListeningAsync("unbound", endPoint, process, stderr);
        }
        catch
        {
            await StopAsync(process, directory);
            throw;
        }

        return new UnboundResolver(process, directory, endPoint);
    }

    public async ValueTask DisposeAsync() => await StopAsync(_process, _directory);

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
