using System.Globalization;
using System.Net;

namespace Gateway.Bench;

/// <summary>
/// Debian's smtp-sink on 127.0.0.1 at a free port: takes messages and throws them away (no dump). With an
/// exit count it terminates after that many messages, which marks end-to-end completion of a run.
/// </summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly ToolProcess _process;

    private SmtpSink(ToolProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public ToolProcess Process => _process;

    public static async Task<SmtpSink> StartAsync(int? exitAfterMessages, CancellationToken cancellationToken)
    {
        var port = Ports.Free();
        var args = new List<string>();
        if (Environment.IsPrivilegedProcess)
        {
            // smtp-sink refuses to run as root without a user to switch to after binding.
            args.AddRange(["-u", "nobody"]);
        }

        if (exitAfterMessages is { } count)
        {
            args.AddRange(["-M", count.ToString(CultureInfo.InvariantCulture)]);
        }

        // -m: at most this many simultaneous sessions (default 256); the servers open at most 20-ish each.
        args.AddRange(["-m", "512", $"127.0.0.1:{port}", "1024"]);
        var process = ToolProcess.Start("smtp-sink", args);
        var sink = new SmtpSink(process, port);
        try
        {
            await Smtp.WaitForGreetingAsync(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch
        {
            sink.Dispose();
            throw;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return sink;
    }

    public void Dispose() => _process.Dispose();
}
