using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Gateway.Authentication.Dkim;

namespace Gateway.Bench;

/// <summary>
/// Relay throughput: smtp-source (20 sessions, 5 KiB messages) drives a server that relays every message to
/// smtp-sink, which exits after the last one. Runs the gateway and a private Postfix instance, each with its
/// own sink, in the same run, and prints end-to-end and accept rates, the accept latency seen by a probe
/// client on one extra session, peak memory, and the ratios. With --full-policy CORPUS_DIR a third run relays the same
/// load through a gateway with the full inbound policy: the client is not trusted, every message is DKIM-signed by its
/// sender's domain, SPF, DKIM, ARC and DMARC are checked against a knot server on 127.0.0.1, and the content is scored
/// (a classifier learned from the corpus's 2002 sets), against Postfix's plain relay in the same run. Loopback only;
/// every wait is bounded, and the servers and sinks are stopped even when a run fails or the benchmark is interrupted.
/// </summary>
internal static class RelayBenchmark
{
    private const int Sessions = 20;
    private const int MessageLength = 5120;
    private const string Sender = "bench@example.org";
    private const string Recipient = "user@bench.test";
    private const string ProbeSender = "probe@example.org";

    // Probe messages go to a domain of their own routed to a second sink, so the main sink's -M count is
    // exactly smtp-source's messages.
    private const string ProbeRecipient = "probe@probe.test";
    private const double TargetRatio = 3.0;
    private const double TargetFullRatio = 4.0;
    private const string SignedSender = "alice@sender.bench";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    private sealed record Result(
        string Name,
        int Messages,
        TimeSpan? Accept,
        TimeSpan? EndToEnd,
        List<double> Latencies,
        int ProbeRefused,
        long PeakPss,
        long PeakRss,
        long PeakHwm,
        double? CpuSeconds,
        string? Failure)
    {
        /// <summary>Which probe (1-based, in sending order) was the slowest: the first ones pay start-up costs, later ones do not.</summary>
        public int? SlowestProbe { get; init; }

        public double? CpuMsPerMessage => CpuSeconds * 1000.0 / Messages;

        public double? AcceptRate => Accept is { } t ? Messages / t.TotalSeconds : null;

        public double? EndToEndRate => EndToEnd is { } t ? Messages / t.TotalSeconds : null;

        public double? Percentile(double q) =>
            Latencies.Count == 0 ? null : Latencies[Math.Max(0, (int)Math.Ceiling(q * Latencies.Count) - 1)];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway") ?? throw new ArgumentException("--gateway is required");
        var messages = int.Parse(Option(args, "--messages") ?? "20000", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(int.Parse(Option(args, "--timeout") ?? "600", CultureInfo.InvariantCulture));
        var withGateway = !args.Contains("--no-gateway");
        var withPostfix = !args.Contains("--no-postfix");
        var fullPolicyCorpus = Option(args, "--full-policy");

        // Ctrl-C / SIGTERM unwind through the finally blocks, so Postfix is stopped and the sinks killed.
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        var run = Stopwatch.StartNew();
        Result? gateway = null;
        Result? full = null;
        Result? postfix = null;
        if (withGateway)
        {
            gateway = await MeasureAsync(
                "gateway",
                async (sink, probeSink) => await GatewayTarget.StartAsync(dll, RelayPolicy(sink, probeSink, string.Empty), "[bench.test, probe.test]").ConfigureAwait(false),
                target => ((GatewayTarget)target).Output,
                messages,
                timeout,
                cancel.Token).ConfigureAwait(false);
        }

        if (fullPolicyCorpus is not null)
        {
            full = await MeasureFullPolicyAsync(dll, fullPolicyCorpus, messages, timeout, cancel.Token).ConfigureAwait(false);
        }

        if (withPostfix)
        {
            // A plain relay: relay_domains accepts the domain from anyone, relayhost sends it to the sink
            // (brackets: no MX lookup). Defaults otherwise: fsync'd queue files, no content filter.
            postfix = await MeasureAsync(
                "postfix",
                async (sink, probeSink) => await PostfixTarget.StartAsync(100, $$"""
                    relay_domains = bench.test, probe.test
                    relayhost = [127.0.0.1]:{{sink}}
                    transport_maps = inline:{probe.test=relay:[127.0.0.1]:{{probeSink}}}
                    """).ConfigureAwait(false),
                target => ((PostfixTarget)target).LogTail(40),
                messages,
                timeout,
                cancel.Token).ConfigureAwait(false);
        }

        Print(messages, gateway, full, postfix, run.Elapsed);
        if (gateway?.Failure is not null || full?.Failure is not null || postfix?.Failure is not null)
        {
            return 3;
        }

        if (gateway?.EndToEndRate is { } g && postfix?.EndToEndRate is { } p)
        {
            return g >= TargetRatio * p ? 0 : 1;
        }

        return 0;

        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
    }

    private static async Task<Result> MeasureAsync(
        string name,
        Func<int, int, Task<IBenchTarget>> start,
        Func<IBenchTarget, string> diagnostics,
        int messages,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string sender = Sender,
        string? messageFile = null,
        byte[]? probeContent = null)
    {
        Console.Error.WriteLine($"[{Now()}] {name}: starting sinks and server");
        using var sink = await SmtpSink.StartAsync(messages, cancellationToken).ConfigureAwait(false);
        using var probeSink = await SmtpSink.StartAsync(null, cancellationToken).ConfigureAwait(false);
        var target = await start(sink.Port, probeSink.Port).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            var sampler = new MemorySampler(target);
            await using (sampler.ConfigureAwait(false))
            {
                using var probe = await ProbeClient.ConnectAsync(target.EndPoint, cancellationToken).ConfigureAwait(false);
                var probeMessage = probeContent ?? ProbeClient.Message(ProbeRecipient, MessageLength);
                var probeSender = probeContent is null ? ProbeSender : sender;

                Console.Error.WriteLine($"[{Now()}] {name}: smtp-source, {messages} messages");
                var cpuBefore = ProcessCpu.Seconds(target.Processes());
                var watch = Stopwatch.StartNew();
                string[] content = messageFile is null
                    ? ["-l", MessageLength.ToString(CultureInfo.InvariantCulture)]
                    : ["-F", messageFile];
                using var source = ToolProcess.Start("smtp-source", [
                    "-s", Sessions.ToString(CultureInfo.InvariantCulture),
                    .. content,
                    "-m", messages.ToString(CultureInfo.InvariantCulture),
                    "-f", sender,
                    "-t", Recipient,
                    "-M", "loadclient.example",
                    $"127.0.0.1:{target.EndPoint.Port}",
                ]);
                var sourceDone = source.WaitForExitAsync(timeout, cancellationToken);
                var (latencies, refused, probeError) = await ProbeAsync(probe, probeSender, probeMessage, sourceDone, cancellationToken).ConfigureAwait(false);

                TimeSpan? accept = null;
                TimeSpan? endToEnd = null;
                double? cpu = null;
                string? failure = null;
                if (!await sourceDone.ConfigureAwait(false))
                {
                    failure = $"smtp-source did not finish within {timeout.TotalSeconds:F0} s";
                }
                else if (source.ExitCode != 0)
                {
                    failure = $"smtp-source exited with {source.ExitCode}: {source.Output().Trim()}";
                }
                else
                {
                    accept = watch.Elapsed;
                    Console.Error.WriteLine($"[{Now()}] {name}: accepted in {accept.Value.TotalSeconds:F1} s, waiting for the sink");
                    var left = timeout - watch.Elapsed;
                    if (await sink.Process.WaitForExitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
                    {
                        endToEnd = watch.Elapsed;
                        cpu = ProcessCpu.Seconds(target.Processes()) - cpuBefore;
                    }
                    else
                    {
                        failure = $"the sink had not received all {messages} messages {timeout.TotalSeconds:F0} s after the start";
                    }
                }

                if (probeError is not null)
                {
                    failure = (failure is null ? string.Empty : failure + "; ") + $"probe: {probeError}";
                }

                try
                {
                    await probe.QuitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException)
                {
                }

                await sampler.StopAsync().ConfigureAwait(false);
                if (failure is not null)
                {
                    Console.Error.WriteLine($"[{Now()}] {name}: FAILED: {failure}");
                    Console.Error.WriteLine($"--- {name} output/log tail ---\n{diagnostics(target)}\n--- sink ---\n{sink.Process.Output()}\n---");
                }
                else
                {
                    Console.Error.WriteLine($"[{Now()}] {name}: done, end-to-end {endToEnd!.Value.TotalSeconds:F1} s");
                }

                int? slowest = latencies.Count == 0 ? null : latencies.IndexOf(latencies.Max()) + 1;
                latencies.Sort();
                return new Result(name, messages, accept, endToEnd, latencies, refused, sampler.PeakPss, sampler.PeakRss, sampler.PeakHwm, cpu, failure)
                {
                    SlowestProbe = slowest,
                };
            }
        }
    }

    /// <summary>
    /// The gateway with the full inbound policy: an untrusted client, the sender's SPF, DKIM key and DMARC record in a
    /// knot zone on 127.0.0.1, every message signed by the sender's domain (smtp-source -F sends the same file each
    /// time), and content scoring with a model learned from the corpus's 2002 sets, tag action.
    /// </summary>
    private static async Task<Result> MeasureFullPolicyAsync(string dll, string corpus, int messages, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("gateway-bench-full");
        try
        {
            var key = DkimKeyGenerator.GenerateRsa(2048);
            await using var dns = await SenderZone.StartAsync(key).ConfigureAwait(false);

            // smtp-source appends CRLF to every line of the file: the file has bare LF, the wire has what was signed.
            var messageFile = Path.Combine(work.FullName, "signed.eml");
            // The probe sends the same signed message (to its own domain), so its latency is that of the full policy too.
            var signedBytes = AuthBenchmark.SignedMessage(key);
            var signed = System.Text.Encoding.ASCII.GetString(signedBytes).Replace("\r\n", "\n", StringComparison.Ordinal);
            await File.WriteAllTextAsync(messageFile, signed.TrimEnd('\n') + "\n", cancellationToken).ConfigureAwait(false);
            var content = AuthBenchmark.ContentPolicy(corpus, work.FullName);
            return await MeasureAsync(
                "gateway (full inbound policy)",
                async (sink, probeSink) => await GatewayTarget.StartAsync(
                    dll,
                    RelayPolicy(sink, probeSink, "authentication:\n  authserv_id: mx.bench.test\n" + content),
                    "[bench.test, probe.test]",
                    trustedNetworks: "[\"10.255.0.0/16\"]",
                    dnsServer: dns.EndPoint.ToString()).ConfigureAwait(false),
                target => ((GatewayTarget)target).Output,
                messages,
                timeout,
                cancellationToken,
                SignedSender,
                messageFile,
                signedBytes).ConfigureAwait(false);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The gateway's relay settings: the probe's domain to its own sink, everything else to the load's sink.</summary>
    private static string RelayPolicy(int sink, int probeSink, string extraYaml) => $"""
        limits:
          connections_per_ip: 1000
        delivery:
          routes:
            probe.test:
              - host: 127.0.0.1
                port: {probeSink}
            "*":
              - host: 127.0.0.1
                port: {sink}
        {extraYaml}
        """;

    /// <summary>Sends a probe message every interval until the load is done; a slow reply delays the next one.</summary>
    private static async Task<(List<double> Latencies, int Refused, string? Error)> ProbeAsync(
        ProbeClient probe, string sender, byte[] message, Task loadDone, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var refused = 0;
        while (!loadDone.IsCompleted)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await probe.SendAsync(sender, ProbeRecipient, message, cancellationToken).ConfigureAwait(false) is { } ms)
                {
                    latencies.Add(ms);
                }
                else
                {
                    refused++;
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return (latencies, refused, ex.Message);
            }

            var wait = ProbeInterval - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(loadDone, Task.Delay(wait, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return (latencies, refused, null);
    }

    private static void Print(int messages, Result? gateway, Result? full, Result? postfix, TimeSpan total)
    {
        Console.WriteLine();
        Console.WriteLine($"relay benchmark: {messages} messages ({MessageLength} B payload) from smtp-source ({Sessions} sessions) through each server to smtp-sink; loopback; {Environment.ProcessorCount} cores");
        var withFull = full is not null;
        Console.WriteLine($"{"",-30}{"gateway",14}{(withFull ? $"{"gw full",14}" : string.Empty)}{"postfix",14}{"gw/postfix",12}{(withFull ? $"{"full/postfix",14}" : string.Empty)}");
        Row("end-to-end msg/s", r => r.EndToEndRate, "F0");
        Row("accept msg/s", r => r.AcceptRate, "F0");
        Row("end-to-end s", r => r.EndToEnd?.TotalSeconds, "F2");
        Row("accept s", r => r.Accept?.TotalSeconds, "F2");
        Row("probe accept latency p50 ms", r => r.Percentile(0.50), "F2");
        Row("probe accept latency p99 ms", r => r.Percentile(0.99), "F2");
        Row("probe accept latency p99.9 ms", r => r.Percentile(0.999), "F2");
        Row("probe accept latency max ms", r => r.Percentile(1.0), "F2");
        Row("slowest probe (n-th sent)", r => r.SlowestProbe, "F0");
        Row("probe messages accepted", r => r.Latencies.Count, "F0");
        Row("probe messages refused", r => r.ProbeRefused, "F0");
        Row("server CPU ms per message", r => r.CpuMsPerMessage, "F3");
        Row("peak PSS MiB (sum)", r => Mib(r.PeakPss), "F1");
        Row("peak RSS MiB (sum)", r => Mib(r.PeakRss), "F1");
        Row("peak VmHWM MiB (largest proc)", r => Mib(r.PeakHwm), "F1");
        foreach (var failure in new[] { gateway, full, postfix }.Where(r => r?.Failure is not null))
        {
            Console.WriteLine($"FAILED {failure!.Name}: {failure.Failure}");
        }

        if (gateway?.EndToEndRate is { } g && postfix?.EndToEndRate is { } p)
        {
            var ratio = g / p;
            Console.WriteLine($"target (gateway end-to-end >= {TargetRatio:F0}x Postfix): {(ratio >= TargetRatio ? "MET" : "NOT MET")} ({ratio.ToString("F2", CultureInfo.InvariantCulture)}x)");
        }

        if (full?.EndToEndRate is { } f && postfix?.EndToEndRate is { } q)
        {
            var ratio = f / q;
            Console.WriteLine($"target (full inbound policy end-to-end >= {TargetFullRatio:F0}x Postfix plain relay): {(ratio >= TargetFullRatio ? "MET" : "NOT MET")} ({ratio.ToString("F2", CultureInfo.InvariantCulture)}x)");
        }

        if (full?.CpuMsPerMessage is { } fullCpu && gateway?.CpuMsPerMessage is { } plainCpu)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full inbound policy costs {fullCpu - plainCpu:F3} CPU ms per message over plain relay (sender checks and content scoring together)"));
        }

        Console.WriteLine($"benchmark wall time: {total.TotalSeconds:F1} s");

        void Row(string label, Func<Result, double?> value, string format)
        {
            static string Cell(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
            static string Ratio(double? a, double? b) => a is { } x && b is { } y && y != 0 ? (x / y).ToString("F2", CultureInfo.InvariantCulture) : "-";
            var gw = gateway is null ? null : value(gateway);
            var fl = full is null ? null : value(full);
            var pf = postfix is null ? null : value(postfix);
            var fullCells = withFull ? $"{Cell(fl, format),14}" : string.Empty;
            var fullRatio = withFull ? $"{Ratio(fl, pf),14}" : string.Empty;
            Console.WriteLine($"{label,-30}{Cell(gw, format),14}{fullCells}{Cell(pf, format),14}{Ratio(gw, pf),12}{fullRatio}");
        }
    }

    private static double? Mib(long? bytes) => bytes / 1048576.0;

    private static string Now() => DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
