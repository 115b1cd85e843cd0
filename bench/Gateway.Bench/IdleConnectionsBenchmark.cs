using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// Holds N idle SMTP sessions open against a freshly started gateway and measures (a) the gateway's resident
/// memory and (b) how long a new client waits for its greeting while they are held. Loopback only.
/// </summary>
internal static class IdleConnectionsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway-dll") ?? throw new ArgumentException("--gateway-dll is required");
        var connections = int.Parse(Option(args, "--connections") ?? "1000", CultureInfo.InvariantCulture);
        var samples = int.Parse(Option(args, "--samples") ?? "20", CultureInfo.InvariantCulture);

        var work = Directory.CreateTempSubdirectory("gateway-bench-idle");
        var smtpPort = FreePort();
        var adminPort = FreePort();
        var config = Path.Combine(work.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            hostname: mx.bench.test
            domains: [bench.test]
            trusted_networks: ["127.0.0.0/8"]
            state_directory: var
            listeners:
              - name: inbound
                address: 127.0.0.1:{smtpPort}
            tls:
              certificate: auto
            limits:
              connections: {connections + 100}
              connections_per_ip: {connections + 100}
            admin:
              listen: 127.0.0.1:{adminPort}
            logging:
              format: json
              level: warning
            """).ConfigureAwait(false);

        using var gateway = Process.Start(new ProcessStartInfo("dotnet", ["exec", dll, "run", "--config", config])
        {
            WorkingDirectory = work.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start the gateway");
        _ = gateway.StandardOutput.ReadToEndAsync();
        _ = gateway.StandardError.ReadToEndAsync();

        var endPoint = new IPEndPoint(IPAddress.Loopback, smtpPort);
        await WaitForGreetingAsync(endPoint, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var baseline = ProcessMemory.ResidentBytes(gateway.Id);

        var held = new List<(TcpClient Client, NetworkStream Stream)>(connections);
        var openWatch = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(endPoint).ConfigureAwait(false);
                var stream = client.GetStream();
                await ReadGreetingAsync(stream).ConfigureAwait(false);
                held.Add((client, stream));
            }

            openWatch.Stop();
            await Task.Delay(2000).ConfigureAwait(false);
            var loaded = ProcessMemory.ResidentBytes(gateway.Id);

            var latencies = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var watch = Stopwatch.StartNew();
                using var probe = new TcpClient();
                await probe.ConnectAsync(endPoint).ConfigureAwait(false);
                await ReadGreetingAsync(probe.GetStream()).ConfigureAwait(false);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                await probe.GetStream().WriteAsync("QUIT\r\n"u8.ToArray()).ConfigureAwait(false);
            }

            var stillOpen = 0;
            foreach (var (_, stream) in held)
            {
                await stream.WriteAsync("NOOP\r\n"u8.ToArray()).ConfigureAwait(false);
                var reply = await ReadLineAsync(stream).ConfigureAwait(false);
                if (reply.StartsWith("250", StringComparison.Ordinal))
                {
                    stillOpen++;
                }
            }

            latencies.Sort();
            var peak = ProcessMemory.PeakResidentBytes(gateway.Id);
            Console.WriteLine("idle-connections benchmark (loopback, one gateway process)");
            Console.WriteLine($"  connections held          {connections} (opened in {openWatch.Elapsed.TotalSeconds:F1} s; {stillOpen} answered NOOP afterwards)");
            Console.WriteLine($"  RSS before                {baseline / 1048576.0:F1} MiB");
            Console.WriteLine($"  RSS with sessions held    {loaded / 1048576.0:F1} MiB  (target < 150 MB)");
            Console.WriteLine($"  peak RSS (VmHWM)          {peak / 1048576.0:F1} MiB");
            Console.WriteLine($"  per idle session          {(loaded - baseline) / (double)connections / 1024:F1} KiB");
            Console.WriteLine($"  new-client greeting       p50 {Percentile(latencies, 0.5):F2} ms, max {latencies[^1]:F2} ms over {samples} (target < 100 ms)");
            var pass = loaded < 150_000_000 && latencies[^1] < 100 && stillOpen == connections;
            Console.WriteLine(pass ? "  result                    PASS" : "  result                    FAIL");
            return pass ? 0 : 1;
        }
        finally
        {
            foreach (var (client, _) in held)
            {
                client.Dispose();
            }

            gateway.Kill();
            await gateway.WaitForExitAsync().ConfigureAwait(false);
            work.Delete(recursive: true);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForGreetingAsync(IPEndPoint endPoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endPoint).ConfigureAwait(false);
                await ReadGreetingAsync(client.GetStream()).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    private static async Task ReadGreetingAsync(NetworkStream stream)
    {
        var line = await ReadLineAsync(stream).ConfigureAwait(false);
        if (!line.StartsWith("220", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected greeting '{line}'");
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await stream.ReadAsync(one, cts.Token).ConfigureAwait(false) == 1)
        {
            if (one[0] == '\n')
            {
                return sb.ToString().TrimEnd('\r');
            }

            sb.Append((char)one[0]);
        }

        throw new IOException("connection closed");
    }
}
