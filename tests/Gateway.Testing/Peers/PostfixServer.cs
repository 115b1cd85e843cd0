using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private Postfix instance (Debian's postfix package, run as root like Postfix itself) whose smtpd listens
/// on one loopback address and port and puts every message it accepts on hold, so a test can read the queue
/// file exactly as Postfix stored it (postcat) instead of trusting what the client says it sent. Its own
/// configuration, queue and log live in a temp directory; the system's Postfix is never touched. Its smtpd
/// offers PIPELINING, SIZE, 8BITMIME, DSN, SMTPUTF8 and CHUNKING, and STARTTLS when started with a certificate.
/// </summary>
public sealed class PostfixServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root;

    private PostfixServer(string root, IPEndPoint endPoint)
    {
        _root = root;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    private string ConfigDirectory => Path.Combine(_root, "etc");

    /// <summary>
    /// Starts the instance on <paramref name="address"/> (a free port unless <paramref name="port"/> is given). With <paramref name="certificatePem"/>
    /// and <paramref name="keyPem"/> smtpd offers STARTTLS (smtpd_tls_security_level = may);
    /// <paramref name="extraMainCf"/> adds settings, e.g. "smtpd_discard_ehlo_keywords = chunking".
    /// <paramref name="port"/> fixes the port instead (e.g. 25 on an address of its own, for MX delivery to several
    /// peers on one port, where DANE's TLSA name "_25._tcp.host" must match it).
    /// </summary>
    public static async Task<PostfixServer> StartAsync(IPAddress address, string? certificatePem = null, string? keyPem = null, string extraMainCf = "", int? port = null)
    {
        var root = TestDirectories.CreateTemp("gw-postfix");
        var listenPort = port ?? FreePort.Next();
        var etc = Path.Combine(root, "etc");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(Path.Combine(root, "spool"));

        // The daemons run as the postfix user and must reach their directories.
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
        await RunAsync("chown", "postfix:postfix", data);

        // Postfix wants inet_interfaces configured on an interface; 127.0.0.71 is routed to lo but not configured
        // there. master.cf binds the exact address whatever inet_interfaces says, so other loopback addresses run
        // with loopback-only (127.0.0.1).
        var interfaces = IPAddress.IsLoopback(address) ? "loopback-only" : address.ToString();
        var tls = string.Empty;
        if (certificatePem is not null && keyPem is not null)
        {
            var certificateFile = Path.Combine(etc, "server.pem");
            var keyFile = Path.Combine(etc, "server.key");
            await File.WriteAllTextAsync(certificateFile, certificatePem);
            await File.WriteAllTextAsync(keyFile, keyPem);
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            tls = $"smtpd_tls_security_level = may\nsmtpd_tls_loglevel = 1\nsmtpd_tls_cert_file = {certificateFile}\nsmtpd_tls_key_file = {keyFile}\n";
        }

        // Everything accepted is held (check_client_access static:HOLD), nothing is ever delivered onward, no DNS
        // is asked, and headers are left as the client sent them (no rewriting for "local" clients).
        await File.WriteAllTextAsync(Path.Combine(etc, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {root}/spool
            data_directory = {data}
            meta_directory = /etc/postfix
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = mx.postfix.test
            mydomain = postfix.test
            mydestination =
            inet_interfaces = {interfaces}
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            smtpd_peername_lookup = no
            disable_dns_lookups = yes
            smtp_dns_support_level = disabled
            local_header_rewrite_clients =
            smtpd_recipient_restrictions = permit_mynetworks, reject
            smtpd_data_restrictions = check_client_access static:HOLD
            message_size_limit = 10240000
            maillog_file_prefixes = {root}
            maillog_file = {root}/maillog
            alias_maps =
            alias_database =
            local_recipient_maps =
            biff = no
            {tls}
            {extraMainCf}
            """);

        await File.WriteAllTextAsync(Path.Combine(etc, "master.cf"), $"""
            {address}:{listenPort.ToString(CultureInfo.InvariantCulture)} inet n - n - - smtpd
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            proxymap  unix  - - n - - proxymap
            showq     unix  n - n - - showq
            anvil     unix  - - n - 1 anvil
            tlsmgr    unix  - - n 1000? 1 tlsmgr
            postlog   unix-dgram n - n - 1 postlogd

            """);

        var server = new PostfixServer(root, new IPEndPoint(address, listenPort));
        try
        {
            await RunAsync("postfix", "-c", etc, "start");
            await server.WaitForGreetingAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The queue ids of held messages with a recipient equal to <paramref name="recipient"/> (postqueue -j).</summary>
    public async Task<IReadOnlyList<string>> FindAsync(string recipient)
    {
        var (_, output, _) = await ExternalTool.RunRawAsync("postqueue", ["-c", ConfigDirectory, "-j"], CommandTimeout);
        var ids = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var entry = JsonDocument.Parse(line);
            if (entry.RootElement.GetProperty("recipients").EnumerateArray().Any(r => r.GetProperty("address").GetString() == recipient))
            {
                ids.Add(entry.RootElement.GetProperty("queue_id").GetString()!);
            }
        }

        return ids;
    }

    /// <summary>The envelope records of a queued message as postcat prints them (sender, recipient, dsn_* ...).</summary>
    public async Task<string> EnvelopeAsync(string queueId)
    {
        var (_, output, _) = await ExternalTool.RunRawAsync("postcat", ["-c", ConfigDirectory, "-e", "-q", queueId], CommandTimeout);
        return Encoding.UTF8.GetString(output);
    }

    /// <summary>
    /// The stored message octets (postcat -bh), line ends as LF, without the Received header Postfix put on top.
    /// </summary>
    public async Task<byte[]> ContentAsync(string queueId)
    {
        var (_, output, _) = await ExternalTool.RunRawAsync("postcat", ["-c", ConfigDirectory, "-bh", "-q", queueId], CommandTimeout);
        var offset = Array.IndexOf(output, (byte)'\n') + 1;
        while (output[offset] is (byte)' ' or (byte)'\t')
        {
            offset = Array.IndexOf(output, (byte)'\n', offset) + 1;
        }

        return output[offset..];
    }

    /// <summary>This instance's log so far.</summary>
    public string Log()
    {
        var log = Path.Combine(_root, "maillog");
        return File.Exists(log) ? File.ReadAllText(log) : string.Empty;
    }

    /// <summary>Polls the log until it holds <paramref name="text"/> (smtpd logs its counters at disconnect).</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Log().Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        int? master = null;
        try
        {
            master = int.Parse((await File.ReadAllTextAsync(Path.Combine(_root, "spool", "pid", "master.pid"))).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
        }

        try
        {
            await RunAsync("postfix", "-c", ConfigDirectory, "stop");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Killed below.
        }

        // Never leave a Postfix behind: the master's process tree goes if "postfix stop" did not do it.
        if (master is { } pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.ProcessName == "master" && !process.WaitForExit(10_000))
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (ArgumentException)
            {
                // Already gone: the normal case.
            }
            catch (InvalidOperationException)
            {
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitForGreetingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(EndPoint);
                var buffer = new byte[3];
                await client.GetStream().ReadExactlyAsync(buffer);
                if (buffer.AsSpan().SequenceEqual("220"u8))
                {
                    return;
                }
            }
            catch (Exception ex) when ((ex is SocketException or IOException) && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Postfix did not greet on {EndPoint} within {timeout}:\n{Log()}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task RunAsync(string tool, params string[] args)
    {
        var (exitCode, _, errors) = await ExternalTool.RunRawAsync(tool, args, CommandTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({exitCode}): {errors}");
        }
    }
}
