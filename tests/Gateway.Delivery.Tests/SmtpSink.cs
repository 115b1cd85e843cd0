using System.Diagnostics;
using System.Net.Sockets;
using Gateway.Testing;

namespace Gateway.Delivery.Tests;

/// <summary>Debian postfix's smtp-sink on 127.0.0.1, dumping each message into its own file.</summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpSink(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public static async Task<SmtpSink> StartAsync(params string[] extraArguments)
    {
        var directory = TestDirectories.CreateTemp("gateway-sink");
        var port = FreePort.Next();
        var start = new ProcessStartInfo("/usr/sbin/smtp-sink") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add("root");
        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(Path.Combine(directory, "%M."));
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add($"127.0.0.1:{port}");
        start.ArgumentList.Add("100");
        var process = Process.Start(start) ?? throw new InvalidOperationException("smtp-sink did not start");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }

        return new SmtpSink(process, port, directory);
    }

    /// <summary>The dumped messages, waiting until <paramref name="count"/> are complete.</summary>
    public async Task<IReadOnlyList<SinkMessage>> WaitForMessagesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var files = System.IO.Directory.GetFiles(Directory);
            if (files.Length >= count || DateTime.UtcNow > deadline)
            {
                // smtp-sink writes the file before answering the end of data, so a delivered message is complete.
                return files.Select(f => SinkMessage.Parse(File.ReadAllBytes(f))).ToList();
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// One smtp-sink dump: its envelope records (X-Mail-Args, X-Rcpt-Args...), then its own Received header, then
/// the message with LF line ends and one extra LF at the end.
/// </summary>
internal sealed record SinkMessage(IReadOnlyList<string> EnvelopeLines, byte[] Message)
{
    public static SinkMessage Parse(byte[] dump)
    {
        var envelope = new List<string>();
        var offset = 0;
        while (true)
        {
            var end = Array.IndexOf(dump, (byte)'\n', offset);
            var line = System.Text.Encoding.UTF8.GetString(dump, offset, end - offset);
            if (line.StartsWith("X-", StringComparison.Ordinal))
            {
                envelope.Add(line);
                offset = end + 1;
                continue;
            }

            // Skip the sink's Received header and its continuation lines.
            offset = end + 1;
            while (dump[offset] is (byte)' ' or (byte)'\t')
            {
                offset = Array.IndexOf(dump, (byte)'\n', offset) + 1;
            }

            break;
        }

        var message = dump[offset..];
        if (message.Length > 0 && message[^1] == '\n')
        {
            message = message[..^1];
        }

        return new SinkMessage(envelope, message);
    }
}
