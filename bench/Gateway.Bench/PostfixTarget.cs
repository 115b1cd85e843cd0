using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Gateway.Bench;

/// <summary>
/// A private Postfix instance (Debian's postfix package) with its own config, queue and log in a temp
/// directory, listening on loopback only; never the system's instance. Needs root, as Postfix does.
/// </summary>
internal sealed class PostfixTarget : IBenchTarget
{
    private readonly string _root;

    private PostfixTarget(string root, IPEndPoint endPoint)
    {
        _root = root;
        EndPoint = endPoint;
    }

    public string Name => "postfix";

    public IPEndPoint EndPoint { get; }

    private string ConfigDirectory => Path.Combine(_root, "etc");

    /// <param name="processLimit">At most this many smtpd processes (simultaneous sessions).</param>
    /// <param name="extraMainCf">main.cf lines added at the end.</param>
    /// <param name="extraMasterCf">master.cf lines added at the end (e.g. tlsmgr for TLS session tickets).</param>
    public static async Task<PostfixTarget> StartAsync(int processLimit, string extraMainCf, string extraMasterCf = "")
    {
        var root = Directory.CreateTempSubdirectory("postfix-bench").FullName;
        var port = Ports.Free();
        var etc = Path.Combine(root, "etc");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(Path.Combine(root, "spool"));

        // Postfix daemons run as the postfix user and must reach their directories.
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
        await RunAsync("chown", "postfix:postfix", data).ConfigureAwait(false);

        await File.WriteAllTextAsync(Path.Combine(etc, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {root}/spool
            data_directory = {data}
            meta_directory = /etc/postfix
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = mx.postfix-bench.test
            mydomain = postfix-bench.test
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            # No DNS at all: the bench may only talk to loopback.
            smtpd_peername_lookup = no
            disable_dns_lookups = yes
            smtp_dns_support_level = disabled
            smtpd_client_connection_count_limit = 0
            default_process_limit = {processLimit}
            maillog_file_prefixes = {root}
            maillog_file = {root}/maillog
            alias_maps =
            alias_database =
            local_recipient_maps =
            biff = no
            {extraMainCf}
            """).ConfigureAwait(false);

        await File.WriteAllTextAsync(Path.Combine(etc, "master.cf"), $"""
            127.0.0.1:{port} inet n - n - {processLimit} smtpd
            pickup    unix  n - n 60 1 pickup
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            verify    unix  - - n - 1 verify
            flush     unix  n - n 1000? 0 flush
            proxymap  unix  - - n - - proxymap
            smtp      unix  - - n - - smtp
            relay     unix  - - n - - smtp
            showq     unix  n - n - - showq
            error     unix  - - n - - error
            retry     unix  - - n - - error
            discard   unix  - - n - - discard
            anvil     unix  - - n - 1 anvil
            scache    unix  - - n - 1 scache
            postlog   unix-dgram n - n - 1 postlogd
            {extraMasterCf}

            """).ConfigureAwait(false);

        var target = new PostfixTarget(root, new IPEndPoint(IPAddress.Loopback, port));
        try
        {
            await RunAsync("postfix", "-c", etc, "start").ConfigureAwait(false);
            await Smtp.WaitForGreetingAsync(target.EndPoint, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return target;
    }

    public IReadOnlyList<int> Processes()
    {
        var pidFile = Path.Combine(_root, "spool", "pid", "master.pid");
        var master = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        return ProcessMemory.WithChildren(master);
    }

    /// <summary>This instance's log so far.</summary>
    public IReadOnlyList<string> LogLines()
    {
        var log = Path.Combine(_root, "maillog");
        return File.Exists(log) ? File.ReadAllLines(log) : [];
    }

    /// <summary>The last lines of this instance's log, for a failure report.</summary>
    public string LogTail(int lines)
    {
        return string.Join('\n', LogLines().TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        // Always leaves no Postfix behind: a failed "postfix stop" falls back to killing the master's tree.
        int? master = null;
        try
        {
            master = Processes()[0];
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
        }

        try
        {
            await RunAsync("postfix", "-c", ConfigDirectory, "stop").ConfigureAwait(false);
            await Task.Delay(500).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"postfix stop failed, killing the master: {ex.Message}");
        }

        if (master is { } pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (!process.HasExited && process.ProcessName == "master")
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone: the normal case after a clean stop.
            }
            catch (InvalidOperationException)
            {
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }
    }
}
