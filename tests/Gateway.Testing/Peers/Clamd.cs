using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private ClamAV daemon (Debian's clamd) on 127.0.0.1 and a unix socket, with a temp clamd.conf and a signature
/// database made at test time (no signature download is reachable from our machines): the EICAR test file by its
/// SHA-256 and size (.hsb) and by its content anywhere in a file (.ndb). It starts in a fraction of a second.
/// </summary>
public sealed class Clamd : IAsyncDisposable
{
    /// <summary>The name our database gives EICAR; clamd reports it with ".UNOFFICIAL" after it.</summary>
    public const string EicarSignature = "Gateway.Test.EICAR";

    private readonly string _directory;
    private Process? _process;

    private Clamd(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>
    /// The 68-octet EICAR anti-virus test file, put together at run time so that this source file is not itself
    /// flagged by a scanner on a developer's machine.
    /// </summary>
    public static byte[] Eicar { get; } = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>clamd's LocalSocket.</summary>
    public string SocketPath => Path.Combine(_directory, "clamd.sock");

    private string ConfigFile => Path.Combine(_directory, "clamd.conf");

    public static async Task<Clamd> StartAsync()
    {
        var directory = TestDirectories.CreateTemp("gw-clamd");
        var database = Directory.CreateDirectory(Path.Combine(directory, "db")).FullName;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Eicar));
        await File.WriteAllTextAsync(Path.Combine(database, "gateway-test.hsb"), $"{sha256}:{Eicar.Length}:{EicarSignature}\n");
        await File.WriteAllTextAsync(Path.Combine(database, "gateway-test.ndb"), $"{EicarSignature}.Body:0:*:{Convert.ToHexStringLower(Eicar)}\n");
        var clamd = new Clamd(directory, FreePort.Next());
        await File.WriteAllTextAsync(clamd.ConfigFile, clamd.Config(database));
        try
        {
            await clamd.ResumeAsync();
            return clamd;
        }
        catch
        {
            await clamd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the daemon, so clients meet a closed port and a dead socket until <see cref="ResumeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        File.Delete(SocketPath);
    }

    /// <summary>Starts the daemon (again) on the same port, socket and database; returns once it accepts connections.</summary>
    public async Task ResumeAsync()
    {
        var info = new ProcessStartInfo(ExternalTool.Require("clamd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config-file=" + ConfigFile);
        _process = Process.Start(info)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        var stderr = _process.StandardError.ReadToEndAsync();
        await PeerStartup.WaitListeningAsync("clamd", EndPoint, _process, stderr);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(SocketPath) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Config(string database)
    {
        var config = new StringBuilder()
            .Append("Foreground yes\n")
            .Append("DatabaseDirectory ").Append(database).Append('\n')
            .Append("TCPAddr 127.0.0.1\n")
            .Append("TCPSocket ").Append(Port.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("LocalSocket ").Append(SocketPath).Append('\n')
            .Append("LogFile ").Append(Path.Combine(_directory, "clamd.log")).Append('\n')
            .Append("PidFile ").Append(Path.Combine(_directory, "clamd.pid")).Append('\n')
            .Append("MaxThreads 4\n");

        // As root clamd would switch to Debian's "clamav" user, which may not read the temp directory.
        if (Environment.UserName == "root")
        {
            config.Append("User root\n");
        }

        return config.ToString();
    }
}
