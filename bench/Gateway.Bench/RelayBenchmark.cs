using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Gateway.Bench;

/// <summary>
/// Relay throughput: smtp-source (20 sessions, 5 KiB messages) drives a server that relays every message to
/// smtp-sink, which exits after the last one. Runs the gateway and a private Postfix instance, each with its
/// own sink, in the same run, and prints end-to-end and accept rates, the accept latency seen by a probe
/// client on one extra session, peak memory, and the ratios. Loopback only; every wait is bounded, and the
/// servers and sinks are stopped even when a run fails or the benchmark is interrupted.
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
        public double? CpuMsPerMessage => CpuSeconds * 1000.0 / Messages;

        public double? AcceptRate => Accept is { } t ? Messages / t.TotalSeconds : null;

        public double? EndToEndRate => EndToEnd is { } t ? Messages / t.TotalSeconds : null;

        public double? Percentile(double q) =>
            Latencies.Count == 0 ? null : Latencies[Math.Max(0, (int)Math.Ceiling(q * Latencies.Count) - 1)];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway-dll") ?? throw new ArgumentException("--gateway-dll is required");
        var messages = int.Parse(Option(args, "--messages") ?? "20000", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(int.Parse(Option(args, "--timeout") ?? "600", CultureInfo.InvariantCulture));
        var withGateway = !args.Contains("--no-gateway");
        var withPostfix = !args.Contains("--no-postfix");

        // Ctrl-C / SIGTERM unwind through the finally blocks, so Postfix is stopped and the sinks killed.
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        var run = Stopwatch.StartNew();
        Result? gateway = null;
        Result? postfix = null;
        if (withGateway)
        {
            gateway = await MeasureAsync(
                "gateway",
                async (sink, probeSink) => await GatewayTarget.StartAsync(dll, $"""
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
                    """, "[bench.test, probe.test]").ConfigureAwait(false),
                target => ((GatewayTarget)target).Output,
                messages,
                timeout,
                cancel.Token).ConfigureAwait(false);
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

        Print(messages, gateway, postfix, run.Elapsed);
        if (gateway?.Failure is not null || postfix?.Failure is not null)
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
        CancellationToken cancellationToken)
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
                var probeMessage = ProbeClient.Message(ProbeRecipient, MessageLength);

                Console.Error.WriteLine($"[{Now()}] {name}: smtp-source, {messages} messages");
                var cpuBefore = ProcessCpu.Seconds(target.Processes());
                var watch = Stopwatch.StartNew();
                using var source = ToolProcess.Start("smtp-source", [
                    "-s", Sessions.ToString(CultureInfo.InvariantCulture),
                    "-l", MessageLength.ToString(CultureInfo.InvariantCulture),
                    "-m", messages.ToString(CultureInfo.InvariantCulture),
                    "-f", Sender,
                    "-t", Recipient,
                    "-M", "loadclient.example",
                    $"127.0.0.1:{target.EndPoint.Port}",
                ]);
                var sourceDone = source.WaitForExitAsync(timeout, cancellationToken);
                var (latencies, refused, probeError) = await ProbeAsync(probe, probeMessage, sourceDone, cancellationToken).ConfigureAwait(false);

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

                latencies.Sort();
                return new Result(name, messages, accept, endToEnd, latencies, refused, sampler.PeakPss, sampler.PeakRss, sampler.PeakHwm, cpu, failure);
            }
        }
    }

    /// <summary>Sends a probe message every interval until the load is done; a slow reply delays the next one.</summary>
    private static async Task<(List<double> Latencies, int Refused, string? Error)> ProbeAsync(
        ProbeClient probe, byte[] message, Task loadDone, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var refused = 0;
        while (!loadDone.IsCompleted)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await probe.SendAsync(ProbeSender, ProbeRecipient, message, cancellationToken).ConfigureAwait(false) is { } ms)
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

    private static void Print(int messages, Result? gateway, Result? postfix, TimeSpan total)
    {
        Console.WriteLine();
        Console.WriteLine($"relay benchmark: {messages} messages ({MessageLength} B payload) from smtp-source ({Sessions} sessions) through each server to smtp-sink; loopback; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"",-30}{"gateway",14}{"postfix",14}{"gw/postfix",12}");
        Row("end-to-end msg/s", gateway?.EndToEndRate, postfix?.EndToEndRate, "F0");
        Row("accept msg/s", gateway?.AcceptRate, postfix?.AcceptRate, "F0");
        Row("end-to-end s", gateway?.EndToEnd?.TotalSeconds, postfix?.EndToEnd?.TotalSeconds, "F2");
        Row("accept s", gateway?.Accept?.TotalSeconds, postfix?.Accept?.TotalSeconds, "F2");
        Row("probe accept latency p50 ms", gateway?.Percentile(0.50), postfix?.Percentile(0.50), "F2");
        Row("probe accept latency p99 ms", gateway?.Percentile(0.99), postfix?.Percentile(0.99), "F2");
        Row("probe accept latency max ms", gateway?.Percentile(1.0), postfix?.Percentile(1.0), "F2");
        Row("probe messages accepted", gateway?.Latencies.Count, postfix?.Latencies.Count, "F0");
        Row("probe messages refused", gateway?.ProbeRefused, postfix?.ProbeRefused, "F0");
        Row("server CPU ms per message", gateway?.CpuMsPerMessage, postfix?.CpuMsPerMessage, "F3");
        Row("peak PSS MiB (sum)", Mib(gateway?.PeakPss), Mib(postfix?.PeakPss), "F1");
        Row("peak RSS MiB (sum)", Mib(gateway?.PeakRss), Mib(postfix?.PeakRss), "F1");
        Row("peak VmHWM MiB (largest proc)", Mib(gateway?.PeakHwm), Mib(postfix?.PeakHwm), "F1");
        foreach (var failure in new[] { gateway, postfix }.Where(r => r?.Failure is not null))
        {
            Console.WriteLine($"FAILED {failure!.Name}: {failure.Failure}");
        }

        if (gateway?.EndToEndRate is { } g && postfix?.EndToEndRate is { } p)
        {
            var ratio = g / p;
            Console.WriteLine($"target (gateway end-to-end >= {TargetRatio:F0}x Postfix): {(ratio >= TargetRatio ? "MET" : "NOT MET")} ({ratio.ToString("F2", CultureInfo.InvariantCulture)}x)");
        }

        Console.WriteLine($"benchmark wall time: {total.TotalSeconds:F1} s");
    }

    private static double? Mib(long? bytes) => bytes / 1048576.0;

    private static void Row(string label, double? gateway, double? postfix, string format)
    {
        static string Cell(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
        var ratio = gateway is { } g && postfix is { } p && p != 0 ? (g / p).ToString("F2", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"{label,-30}{Cell(gateway, format),14}{Cell(postfix, format),14}{ratio,12}");
    }

    private static string Now() => DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
