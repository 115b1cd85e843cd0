using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Testing;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests.Fixtures;

/// <summary>
/// Debian postfix's smtp-sink as the downstream server: it accepts (or, with options, refuses) mail and dumps
/// each transaction to its own file, envelope records first, so tests can check exactly what arrived.
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
    public IReadOnlyList<string> Messages() =>
        Directory.EnumerateFiles(DumpDirectory)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .Where(text => text.Contains("X-Rcpt-Args:", StringComparison.Ordinal) && text.Contains("\n\n", StringComparison.Ordinal))
            .ToList();

    public async Task<IReadOnlyList<string>> WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = Messages();
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                return messages;
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
    }
}
