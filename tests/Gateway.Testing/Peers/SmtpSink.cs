using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing.Peers;

/// <summary>
/// Debian postfix's smtp-sink as the downstream server: it accepts (or, with options, refuses) mail and dumps
/// each transaction to its own file, envelope records first, so tests can check exactly what arrived. Options
/// hide extensions (-p PIPELINING, -8 8BITMIME, -N DSN, -e ESMTP, -E ENHANCEDSTATUSCODES) or refuse commands
/// (-r soft, -f hard, -q disconnect, -Q 421); see smtp-sink(1). It never offers CHUNKING, SMTPUTF8 or SIZE.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpSink(Process process, IPEndPoint endPoint, string dumpDirectory)
    {
        _process = process;
        EndPoint = endPoint;
        DumpDirectory = dumpDirectory;
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    public string DumpDirectory { get; }

    /// <summary>Starts smtp-sink on the address (port 0 = a free port) with extra options such as "-r RCPT".</summary>
    public static async Task<SmtpSink> StartAsync(IPAddress address, int port = 0, params string[] options)
    {
        if (port == 0)
        {
            port = FreePort.Next();
        }

        var dump = TestDirectories.CreateTemp("gw-sink");
        var info = new ProcessStartInfo(ExternalTool.Require("smtp-sink"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // -u: smtp-sink drops to this user after binding; tests run as root, so stay root and keep the dump
        // directory writable. -d: one file per transaction.
        foreach (var arg in new[] { "-u", "root", "-h", "sink.example", "-d", Path.Combine(dump, "%Y%m%d%H%M%S.") }.Concat(options))
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add($"{address}:{port.ToString(CultureInfo.InvariantCulture)}");
        info.ArgumentList.Add("256");
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        var endPoint = new IPEndPoint(address, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(endPoint);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        return new SmtpSink(process, endPoint, dump);
    }

    /// <summary>
    /// The messages received so far, each as text (envelope records, then the message). smtp-sink creates a dump
    /// file when a transaction starts, so a refused or still-running transaction leaves a file without the
    /// message's header/body separator: those are not messages (yet).
    /// </summary>
    public IReadOnlyList<string> Messages() => Dumps().Select(d => d.Text).ToList();

    public async Task<IReadOnlyList<string>> WaitForMessagesAsync(int count, TimeSpan timeout) =>
        (await WaitForDumpsAsync(count, timeout)).Select(d => d.Text).ToList();

    /// <summary>The messages received so far, split into envelope records and the exact message octets.</summary>
    public IReadOnlyList<SinkMessage> Dumps() =>
        Directory.EnumerateFiles(DumpDirectory)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .Where(SinkMessage.IsComplete)
            .Select(SinkMessage.Parse)
            .ToList();

    /// <summary>Polls until <paramref name="count"/> messages are there or the time is up; returns what there is.</summary>
    public async Task<IReadOnlyList<SinkMessage>> WaitForDumpsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var dumps = Dumps();
            if (dumps.Count >= count || DateTime.UtcNow > deadline)
            {
                return dumps;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DumpDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A dump still being written; the temp directory is cleaned up with the machine.
        }
    }
}
