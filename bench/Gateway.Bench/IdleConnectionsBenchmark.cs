using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Gateway.Bench;

/// <summary>
/// Holds N idle SMTP sessions open against a server and measures its memory and how long a new client then
/// waits for its greeting. Runs the gateway and, unless --no-postfix, a private Postfix instance in the same
/// run, and prints the ratios. Loopback only; every wait is bounded.
/// </summary>
internal static class IdleConnectionsBenchmark
{
    private sealed record Result(string Name, int Held, int Answered, long PssBefore, long PssHeld, long RssHeld, int Processes, List<double> Latencies)
    {
        public double P50 => Latencies[Latencies.Count / 2];

        public double Max => Latencies[^1];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway") ?? throw new ArgumentException("--gateway is required");
        var connections = int.Parse(Option(args, "--connections") ?? "1000", CultureInfo.InvariantCulture);
        var samples = int.Parse(Option(args, "--samples") ?? "20", CultureInfo.InvariantCulture);
        var withPostfix = !args.Contains("--no-postfix");

        Result gateway;
        await using (var target = await GatewayTarget.StartAsync(dll, $"limits:\n  connections: {connections + 100}\n  connections_per_ip: {connections + 100}").ConfigureAwait(false))
        {
            gateway = await MeasureAsync(target, connections, samples).ConfigureAwait(false);
        }

        Result? postfix = null;
        if (withPostfix)
        {
            await using var target = await PostfixTarget.StartAsync(connections + 100, "relay_domains = bench.test").ConfigureAwait(false);
            postfix = await MeasureAsync(target, connections, samples).ConfigureAwait(false);
        }

        Console.WriteLine($"idle-connections benchmark: {connections} idle SMTP sessions held on loopback, then {samples} new clients timed to their greeting");
        Console.WriteLine($"{"",-28}{"gateway",14}{(postfix is null ? string.Empty : $"{"postfix",14}{"ratio",10}")}");
        Row("processes", gateway.Processes, postfix?.Processes, "F0");
        Row("PSS before, MiB", gateway.PssBefore / 1048576.0, postfix?.PssBefore / 1048576.0, "F1");
        Row("PSS while held, MiB", gateway.PssHeld / 1048576.0, postfix?.PssHeld / 1048576.0, "F1");
        Row("RSS while held, MiB (sum)", gateway.RssHeld / 1048576.0, postfix?.RssHeld / 1048576.0, "F1");
        Row("per idle session, KiB", (gateway.PssHeld - gateway.PssBefore) / 1024.0 / connections, postfix is null ? null : (postfix.PssHeld - postfix.PssBefore) / 1024.0 / connections, "F1");
        Row("new-client greeting p50 ms", gateway.P50, postfix?.P50, "F2");
        Row("new-client greeting max ms", gateway.Max, postfix?.Max, "F2");
        Row("sessions alive after", gateway.Answered, postfix?.Answered, "F0");

        var pass = gateway.RssHeld < 150_000_000 && gateway.Max < 100 && gateway.Answered == connections;
        Console.WriteLine($"targets (gateway RSS < 150 MB with {connections} held, greeting < 100 ms): {(pass ? "PASS" : "FAIL")}");
        return pass ? 0 : 1;
    }

    private static void Row(string label, double gateway, double? postfix, string format)
    {
        var line = $"{label,-28}{gateway.ToString(format, CultureInfo.InvariantCulture),14}";
        if (postfix is { } p)
        {
            var ratio = p == 0 ? "-" : (gateway / p).ToString("F3", CultureInfo.InvariantCulture);
            line += $"{p.ToString(format, CultureInfo.InvariantCulture),14}{ratio,10}";
        }

        Console.WriteLine(line);
    }

    private static async Task<Result> MeasureAsync(IBenchTarget target, int connections, int samples)
    {
        var pssBefore = ProcessMemory.Sum(target.Processes(), ProcessMemory.ProportionalBytes);
        var held = new List<TcpClient>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(target.EndPoint).ConfigureAwait(false);
                await Smtp.ReadGreetingAsync(client.GetStream()).ConfigureAwait(false);
                held.Add(client);
            }

            await Task.Delay(2000).ConfigureAwait(false);
            var processes = target.Processes();
            var pssHeld = ProcessMemory.Sum(processes, ProcessMemory.ProportionalBytes);
            var rssHeld = ProcessMemory.Sum(processes, ProcessMemory.ResidentBytes);

            var latencies = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var watch = Stopwatch.StartNew();
                using var probe = new TcpClient();
                await probe.ConnectAsync(target.EndPoint).ConfigureAwait(false);
                await Smtp.ReadGreetingAsync(probe.GetStream()).ConfigureAwait(false);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                await probe.GetStream().WriteAsync("QUIT\r\n"u8.ToArray()).ConfigureAwait(false);
            }

            latencies.Sort();
            var answered = 0;
            foreach (var client in held)
            {
                await client.GetStream().WriteAsync("NOOP\r\n"u8.ToArray()).ConfigureAwait(false);
                var reply = await Smtp.ReadLineAsync(client.GetStream()).ConfigureAwait(false);
                if (reply.StartsWith("250", StringComparison.Ordinal))
                {
                    answered++;
                }
            }

            return new Result(target.Name, connections, answered, pssBefore, pssHeld, rssHeld, processes.Count, latencies);
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
