using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Gateway.Bench;

/// <summary>
/// What TLS costs, in one run, with a certificate from the run's throw-away CA (made by bench/run-tls.sh):
/// <list type="number">
/// <item>Delivery: smtp-source (20 sessions, 5 KiB messages) gives the gateway messages from a trusted client; it
/// relays them over its delivery route to a Postfix smtpd that offers STARTTLS with the certificate and hands every
/// message to smtp-sink through its before-queue proxy (smtpd_proxy_filter: no queue file, no fsync at the peer,
/// and smtp-sink -M marks the end as in the relay benchmark). Once with the route at <c>tls: none</c>, once at
/// <c>tls: {level: verify, ca: ...}</c> (PKIX against the pinned CA, name 127.0.0.1); end-to-end rate, the CPU per
/// message of the gateway and of the peer, and the TCP connections and TLS handshakes the peer logged, which show
/// reuse.</item>
/// <item>Inbound STARTTLS: sessions per second of <see cref="StartTlsLoad"/> against the gateway's listener and a
/// private Postfix smtpd with the same certificate and key, with full handshakes and with resumption offered by the
/// client; both servers run side by side and take batches in turn.</item>
/// </list>
/// Loopback only; servers, peers and sinks are stopped even when a run fails or the benchmark is interrupted.
/// </summary>
internal static partial class TlsBenchmark
{
    private const int Sessions = 20;
    private const int MessageLength = 5120;
    private const int WarmUpMessages = 500;
    private const int WarmUpSessions = 300;
    private const string ServerName = "mx.bench.test";

    // tlsmgr keeps the session-ticket keys smtpd processes share (TLS 1.3 resumption across processes).
    private const string PostfixTlsManager = "tlsmgr    unix  - - n 1000? 1 tlsmgr";

    private sealed record Files(string Ca, string Certificate, string Key);

    // Connections and Handshakes: what the peer logged over warm-up and run; NewConnections: opened during the run
    // (the others were kept from the warm-up).
    private sealed record Relay(
        string Mode,
        int Messages,
        TimeSpan? Accept,
        TimeSpan? EndToEnd,
        double? CpuSeconds,
        double? PeerCpuSeconds,
        int? Connections,
        int? Handshakes,
        int? NewConnections,
        string? Failure)
    {
        public double? EndToEndRate => EndToEnd is { } t ? Messages / t.TotalSeconds : null;

        public double? AcceptRate => Accept is { } t ? Messages / t.TotalSeconds : null;

        public double? CpuMsPerMessage => CpuSeconds * 1000.0 / Messages;

        public double? PeerCpuMsPerMessage => PeerCpuSeconds * 1000.0 / Messages;

        public double? MessagesPerConnection => Connections is > 0 and { } c ? (double)(WarmUpMessages + Messages) / c : null;
    }

    /// <summary>The STARTTLS batches of one server and client mode, added up.</summary>
    private sealed class Handshakes(string server, bool resume)
    {
        public string Server { get; } = server;

        public bool Resume { get; } = resume;

        public int Sessions { get; private set; }

        public int Failed { get; private set; }

        public int Resumed { get; private set; }

        public double Seconds { get; private set; }

        public double CpuSeconds { get; private set; }

        public string? Protocol { get; private set; }

        public string? Failure { get; private set; }

        public double? Rate => Sessions > Failed ? (Sessions - Failed) / Seconds : null;

        public double? CpuMsPerSession => Sessions > Failed ? CpuSeconds * 1000.0 / (Sessions - Failed) : null;

        public void Add(StartTlsLoad.Result result, double cpuSeconds)
        {
            Sessions += result.Sessions;
            Failed += result.Failed;
            Resumed += result.Resumed;
            Seconds += result.Elapsed.TotalSeconds;
            CpuSeconds += cpuSeconds;
            Protocol ??= result.Protocol;
            if (result.Failed > 0)
            {
                Failure ??= $"{result.Failed} sessions failed, first: {result.FirstError}";
            }
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway") ?? throw new ArgumentException("--gateway is required");
        var files = new Files(
            Option(args, "--ca") ?? throw new ArgumentException("--ca is required"),
            Option(args, "--cert") ?? throw new ArgumentException("--cert is required"),
            Option(args, "--key") ?? throw new ArgumentException("--key is required"));
        var messages = int.Parse(Option(args, "--messages") ?? "5000", CultureInfo.InvariantCulture);
        var sessions = int.Parse(Option(args, "--sessions") ?? "5000", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Option(args, "--concurrency") ?? "20", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(int.Parse(Option(args, "--timeout") ?? "600", CultureInfo.InvariantCulture));
        var withRelay = !args.Contains("--no-relay");
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var withStartTls = !args.Contains("--no-starttls");

        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        var loadBefore = LoadAverage();
        var run = Stopwatch.StartNew();
        var relays = new List<Relay>();
        if (withRelay)
        {
            relays.Add(await RelayAsync("plaintext", "none", files, dll, messages, timeout, cancel.Token).ConfigureAwait(false));
            relays.Add(await RelayAsync("TLS verify", $"{{level: verify, ca: {files.Ca}}}", files, dll, messages, timeout, cancel.Token).ConfigureAwait(false));
        }

        var handshakes = new List<Handshakes>();
        if (withStartTls)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(files.Certificate));
            var hash = SHA256.HashData(certificate.RawData);
            var gateway = await GatewayTarget.StartAsync(
                dll, "limits:\n  connections_per_ip: 1000", certificate: (files.Certificate, files.Key)).ConfigureAwait(false);
            await using (gateway.ConfigureAwait(false))
            {
                var postfix = await PostfixTarget.StartAsync(
                    Math.Max(100, concurrency + 10), PostfixTls(files, logLevel: 0), PostfixTlsManager).ConfigureAwait(false);
                await using (postfix.ConfigureAwait(false))
                {
                    await HandshakeRoundsAsync([gateway, postfix], handshakes, hash, sessions, rounds, concurrency, cancel.Token).ConfigureAwait(false);
                }
            }
        }

        Print(relays, handshakes, messages, sessions, rounds, concurrency, files, loadBefore, LoadAverage(), run.Elapsed);
        return relays.Any(r => r.Failure is not null) || handshakes.Any(h => h.Failure is not null) ? 3 : 0;

        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
    }

    private static string PostfixTls(Files files, int logLevel) => $"""
        smtpd_tls_security_level = may
        smtpd_tls_loglevel = {logLevel}
        smtpd_tls_cert_file = {files.Certificate}
        smtpd_tls_key_file = {files.Key}
        """;

    private static async Task<Relay> RelayAsync(
        string mode, string routeTls, Files files, string dll, int messages, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"[{Now()}] relay, {mode}: starting sink, peer and gateway");
        using var sink = await SmtpSink.StartAsync(WarmUpMessages + messages, cancellationToken).ConfigureAwait(false);
        var peer = await PostfixTarget.StartAsync(100, $"""
            {PostfixTls(files, logLevel: 1)}
            smtpd_proxy_filter = 127.0.0.1:{sink.Port}
            """, PostfixTlsManager).ConfigureAwait(false);
        await using (peer.ConfigureAwait(false))
        {
            var gateway = await GatewayTarget.StartAsync(dll, $"""
                limits:
                  connections_per_ip: 1000
                delivery:
                  routes:
                    "*":
                      - host: 127.0.0.1
                        port: {peer.EndPoint.Port}
                        tls: {routeTls}
                """).ConfigureAwait(false);
            await using (gateway.ConfigureAwait(false))
            {
                string? failure;
                TimeSpan? accept = null;
                TimeSpan? endToEnd = null;
                double? cpu = null;
                double? peerCpu = null;
                int? connections = null;
                int? handshakes = null;
                int? newConnections = null;

                // Warm-up through the whole path (JIT, the route's connections), not counted. The peer's log so far
                // holds the connection that waited for its greeting.
                var (connectsAtStart, _) = PeerCounts(peer);
                Console.Error.WriteLine($"[{Now()}] relay, {mode}: warm-up, {WarmUpMessages} messages");
                failure = await SourceAsync(gateway, WarmUpMessages, timeout, cancellationToken).ConfigureAwait(false)
                    ?? await DeliveredAsync(gateway, WarmUpMessages, timeout, cancellationToken).ConfigureAwait(false);
                if (failure is null)
                {
                    var (connectsBefore, _) = PeerCounts(peer);
                    Console.Error.WriteLine($"[{Now()}] relay, {mode}: smtp-source, {messages} messages");
                    var cpuBefore = ProcessCpu.Seconds(gateway.Processes());
                    var peerCpuBefore = ProcessCpu.Seconds(peer.Processes());
                    var watch = Stopwatch.StartNew();
                    failure = await SourceAsync(gateway, messages, timeout, cancellationToken).ConfigureAwait(false);
                    accept = watch.Elapsed;
                    if (failure is null && await SinkDoneAsync(sink, gateway, timeout - watch.Elapsed, cancellationToken).ConfigureAwait(false) is { } notDone)
                    {
                        failure = notDone;
                    }
                    else if (failure is null)
                    {
                        endToEnd = watch.Elapsed;
                        cpu = ProcessCpu.Seconds(gateway.Processes()) - cpuBefore;
                        peerCpu = ProcessCpu.Seconds(peer.Processes()) - peerCpuBefore;

                        // postlogd writes the log lines a moment after the event.
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                        (connections, handshakes) = PeerCounts(peer);
                        newConnections = connections - connectsBefore;
                        connections -= connectsAtStart;
                        var expectTls = routeTls != "none";
                        if (expectTls ? handshakes == 0 : handshakes > 0)
                        {
                            failure = $"the peer logged {handshakes} TLS handshakes, expected {(expectTls ? "some" : "none")}";
                        }
                    }
                }

                if (failure is not null)
                {
                    Console.Error.WriteLine($"[{Now()}] relay, {mode}: FAILED: {failure}");
                    Console.Error.WriteLine($"--- gateway output ---\n{gateway.Output}\n--- peer log ---\n{peer.LogTail(40)}\n--- sink ---\n{sink.Process.Output()}\n---");
                }
                else
                {
                    Console.Error.WriteLine($"[{Now()}] relay, {mode}: done, end-to-end {endToEnd!.Value.TotalSeconds:F1} s");
                }

                return new Relay(mode, messages, accept, endToEnd, cpu, peerCpu, connections, handshakes, newConnections, failure);
            }
        }
    }

    /// <summary>Runs smtp-source against the gateway; null when all messages were accepted, else what went wrong.</summary>
    private static async Task<string?> SourceAsync(GatewayTarget gateway, int messages, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var source = ToolProcess.Start("smtp-source", [
            "-s", Sessions.ToString(CultureInfo.InvariantCulture),
            "-l", MessageLength.ToString(CultureInfo.InvariantCulture),
            "-m", messages.ToString(CultureInfo.InvariantCulture),
            "-f", "bench@example.org",
            "-t", "user@bench.test",
            "-M", "loadclient.example",
            $"127.0.0.1:{gateway.EndPoint.Port}",
        ]);
        if (!await source.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            return $"smtp-source did not finish within {timeout.TotalSeconds:F0} s";
        }

        return source.ExitCode == 0 ? null : $"smtp-source exited with {source.ExitCode}: {source.Output().Trim()}";
    }

    /// <summary>Waits until the gateway has delivered this many recipients; a deferral fails the run at once.</summary>
    private static async Task<string?> DeliveredAsync(GatewayTarget gateway, int delivered, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (await gateway.CountersAsync("gateway_recipients_delivered_total").ConfigureAwait(false) < delivered)
        {
            if (await Deferred(gateway).ConfigureAwait(false) is { } deferred)
            {
                return deferred;
            }

            if (watch.Elapsed > timeout)
            {
                return $"{delivered} deliveries not done within {timeout.TotalSeconds:F0} s";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Waits for smtp-sink to exit after its last message; polls the gateway for deferrals meanwhile.</summary>
    private static async Task<string?> SinkDoneAsync(SmtpSink sink, GatewayTarget gateway, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = sink.Process.WaitForExitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, cancellationToken);
        while (await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken)).ConfigureAwait(false) != done)
        {
            if (await Deferred(gateway).ConfigureAwait(false) is { } deferred)
            {
                return deferred;
            }
        }

        return await done.ConfigureAwait(false) ? null : $"the sink did not receive every message within {timeout.TotalSeconds:F0} s";
    }

    private static async Task<string?> Deferred(GatewayTarget gateway) =>
        await gateway.CountersAsync("gateway_recipients_deferred_total").ConfigureAwait(false) is > 0 and var n
            ? $"the gateway deferred {n} deliveries (TLS or peer refused; see its output)"
            : null;

    /// <summary>smtpd's "connect from" lines and TLS handshakes ("... TLS connection established from ...") so far.</summary>
    private static (int Connects, int Handshakes) PeerCounts(PostfixTarget peer)
    {
        var lines = peer.LogLines();
        return (lines.Count(l => ConnectLine().IsMatch(l)), lines.Count(l => l.Contains(" TLS connection established from ", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"/smtpd\[\d+\]: connect from ")]
    private static partial Regex ConnectLine();

    /// <summary>
    /// Both servers run side by side and take batches in turn (full handshakes, then resumption offered; the order of
    /// the servers swapped every round), so that what else the machine does at the time weighs on both alike.
    /// </summary>
    private static async Task HandshakeRoundsAsync(
        IBenchTarget[] targets, List<Handshakes> totals, byte[] certificateHash, int sessions, int rounds, int concurrency, CancellationToken cancellationToken)
    {
        foreach (var target in targets)
        {
            foreach (var resume in new[] { false, true })
            {
                var load = new StartTlsLoad(target.EndPoint, ServerName, certificateHash, concurrency, resume);
                var total = new Handshakes(target.Name, resume);
                totals.Add(total);
                Console.Error.WriteLine($"[{Now()}] STARTTLS, {target.Name}, {Kind(resume)}: warm-up, {WarmUpSessions} sessions");
                var warmUp = await load.RunAsync(WarmUpSessions, cancellationToken).ConfigureAwait(false);
                if (warmUp.Failed > 0)
                {
                    total.Add(warmUp, 0);
                    return;
                }
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            var batch = sessions / rounds + (round < sessions % rounds ? 1 : 0);
            foreach (var resume in new[] { false, true })
            {
                foreach (var target in round % 2 == 0 ? targets : targets.Reverse())
                {
                    var load = new StartTlsLoad(target.EndPoint, ServerName, certificateHash, concurrency, resume);
                    var cpuBefore = ProcessCpu.Seconds(target.Processes());
                    var result = await load.RunAsync(batch, cancellationToken).ConfigureAwait(false);
                    var cpu = ProcessCpu.Seconds(target.Processes()) - cpuBefore;
                    totals.Single(t => t.Server == target.Name && t.Resume == resume).Add(result, cpu);
                    Console.Error.WriteLine(
                        $"[{Now()}] STARTTLS round {round + 1}, {target.Name}, {Kind(resume)}: {batch} sessions, {result.Rate:F0}/s, {result.Resumed} resumed, {result.Failed} failed");
                }
            }
        }

        static string Kind(bool resume) => resume ? "resumption offered" : "full handshakes";
    }

    private static void Print(
        List<Relay> relays, List<Handshakes> handshakes, int messages, int sessions, int rounds, int concurrency, Files files, string loadBefore, string loadAfter, TimeSpan total)
    {
        Console.WriteLine();
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(files.Certificate));
        var key = certificate.GetECDsaPublicKey() is { } ec ? $"ECDSA P-{ec.KeySize}" : $"RSA-{certificate.GetRSAPublicKey()?.KeySize}";
        Console.WriteLine($"TLS benchmark; loopback; {Environment.ProcessorCount} cores; certificate {key} from a throw-away CA; load average (1/5/15 min) {loadBefore} at start, {loadAfter} at end");
        if (relays.Count == 2)
        {
            var (plain, tls) = (relays[0], relays[1]);
            Console.WriteLine();
            Console.WriteLine($"delivery: {messages} messages ({MessageLength} B) from smtp-source ({Sessions} sessions) through the gateway to a Postfix smtpd (proxy to smtp-sink), after {WarmUpMessages} warm-up messages");
            Console.WriteLine($"{"",-34}{"plaintext",12}{"TLS verify",12}{"TLS/plain",12}");
            Row("end-to-end msg/s", plain.EndToEndRate, tls.EndToEndRate, "F0", rightOverLeft: true);
            Row("accept msg/s", plain.AcceptRate, tls.AcceptRate, "F0", rightOverLeft: true);
            Row("gateway CPU ms per message", plain.CpuMsPerMessage, tls.CpuMsPerMessage, "F3", rightOverLeft: true);
            Row("peer (Postfix) CPU ms per message", plain.PeerCpuMsPerMessage, tls.PeerCpuMsPerMessage, "F3", rightOverLeft: true);
            Row("peer: TCP connections", plain.Connections, tls.Connections, "F0", rightOverLeft: true);
            Row("peer: TLS handshakes", plain.Handshakes, tls.Handshakes, "F0", rightOverLeft: true);
            Row("messages per connection", plain.MessagesPerConnection, tls.MessagesPerConnection, "F1", rightOverLeft: true);
            Row("  connections opened in the run", plain.NewConnections, tls.NewConnections, "F0", rightOverLeft: true);
            Console.WriteLine($"(peer counts: smtpd's log over warm-up and run, {WarmUpMessages + messages} messages; the run's last line: those not kept from the warm-up)");
        }

        if (handshakes.Count == 4 && handshakes.All(h => h.Sessions > 0))
        {
            Console.WriteLine();
            Console.WriteLine($"inbound STARTTLS: {sessions} sessions (connect, EHLO, STARTTLS, handshake, EHLO, QUIT), {concurrency} at a time, in {rounds} rounds taken in turn, after {WarmUpSessions} warm-up sessions");
            Console.WriteLine($"{"",-34}{"gateway",12}{"postfix",12}{"gw/postfix",12}");
            foreach (var resume in new[] { false, true })
            {
                var g = handshakes.Single(h => h.Server == "gateway" && h.Resume == resume);
                var p = handshakes.Single(h => h.Server == "postfix" && h.Resume == resume);
                Console.WriteLine(resume ? "client offers resumption" : "client never resumes");
                Row("  sessions/s", g.Rate, p.Rate, "F0");
                Row("  server CPU ms per session", g.CpuMsPerSession, p.CpuMsPerSession, "F3");
                Row("  sessions resumed (ServerHello)", g.Resumed, p.Resumed, "F0");
                Row("  sessions failed", g.Failed, p.Failed, "F0");
            }

            foreach (var server in handshakes.GroupBy(h => h.Server))
            {
                Console.WriteLine($"{server.Key} negotiated: {string.Join(", ", server.Select(h => h.Protocol).Distinct())}");
            }
        }

        foreach (var failure in relays.Where(r => r.Failure is not null))
        {
            Console.WriteLine($"FAILED delivery, {failure.Mode}: {failure.Failure}");
        }

        foreach (var failure in handshakes.Where(h => h.Failure is not null))
        {
            Console.WriteLine($"FAILED STARTTLS, {failure.Server}{(failure.Resume ? " with resumption" : string.Empty)}: {failure.Failure}");
        }

        Console.WriteLine($"benchmark wall time: {total.TotalSeconds:F1} s");
    }

    // The ratio column: right / left (TLS / plaintext) or left / right (gateway / Postfix).
    private static void Row(string label, double? left, double? right, string format, bool rightOverLeft = false)
    {
        static string Cell(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
        var (numerator, denominator) = rightOverLeft ? (right, left) : (left, right);
        var ratio = numerator is { } n && denominator is { } d && d != 0 ? (n / d).ToString("F2", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"{label,-34}{Cell(left, format),12}{Cell(right, format),12}{ratio,12}");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Now() => DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
