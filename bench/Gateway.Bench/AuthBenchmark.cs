using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Testing.Peers;

namespace Gateway.Bench;

/// <summary>
/// The cost of sender authentication: the same gateway relays the same DKIM-signed 5 KiB inbound message from an
/// untrusted client to smtp-sink, once with SPF, DKIM, ARC and DMARC off and once with them on (the sender's
/// SPF, DKIM key and DMARC records served by a knot server on 127.0.0.1, cached by the gateway's resolver).
/// Both configurations run in turn, twice each, and the gateway's CPU time per message is compared. The load
/// is 20 sessions of our own client (smtp-source cannot send a signed message), so both sides see identical
/// traffic. Loopback only.
/// </summary>
internal static class AuthBenchmark
{
    private const int Sessions = 20;
    private const int BodyLength = 5120;
    private const double TargetOverhead = 0.20;
    private const string Sender = "alice@sender.bench";
    private const string Recipient = "user@bench.test";
    private const string WarmRecipient = "user@warm.test";
    private const int WarmUpPerSession = 25;

    private const string ChecksOff = """
        authentication:
          spf:
            verify: false
          dkim:
            verify: false
          arc:
            verify: false
          dmarc:
            verify: false
        """;

    private const string ChecksOn = """
        authentication:
          authserv_id: mx.bench.test
        """;

    private sealed record Run(string Name, int Messages, double Seconds, double CpuSeconds, int Refused)
    {
        public double CpuMsPerMessage => CpuSeconds * 1000.0 / Messages;

        public double Rate => Messages / Seconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway-dll") ?? throw new ArgumentException("--gateway-dll is required");
        var messages = int.Parse(Option(args, "--messages") ?? "10000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "2", CultureInfo.InvariantCulture);

        // --only spf|dkim|arc|dmarc: one check on and the others off, to see where the cost is.
        // --except spf|dkim|arc|dmarc: every check on but that one.
        var checksOn = Option(args, "--only") is { } only
            ? ChecksOff.Replace($"  {only}:\n    verify: false", $"  {only}:\n    verify: true", StringComparison.Ordinal)
            : Option(args, "--except") is { } except
                ? ChecksOff.Replace("verify: false", "verify: true", StringComparison.Ordinal)
                    .Replace($"  {except}:\n    verify: true", $"  {except}:\n    verify: false", StringComparison.Ordinal)
                : ChecksOn;

        var key = DkimKeyGenerator.GenerateRsa(2048);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["sender.bench"] =
                "@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\n" +
                $"sel._domainkey TXT {key.ToZoneFileText()}\n" +
                "_dmarc TXT \"v=DMARC1; p=reject\"\n",
        }).ConfigureAwait(false);
        var message = SignedMessage(key);

        var runs = new List<Run>();
        for (var round = 0; round < rounds; round++)
        {
            runs.Add(await MeasureAsync("plain", dll, ChecksOff, dns, message, messages).ConfigureAwait(false));
            runs.Add(await MeasureAsync("auth", dll, checksOn, dns, message, messages).ConfigureAwait(false));
        }

        var plain = runs.Where(r => r.Name == "plain").ToList();
        var auth = runs.Where(r => r.Name == "auth").ToList();
        var plainCpu = plain.Average(r => r.CpuMsPerMessage);
        var authCpu = auth.Average(r => r.CpuMsPerMessage);
        var overhead = authCpu / plainCpu - 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            auth benchmark: {messages} DKIM-signed messages ({BodyLength} B body) per run from {Sessions} sessions, inbound from an untrusted client, relayed to smtp-sink; {rounds} rounds; loopback; {Environment.ProcessorCount} cores
            run        msg/s   CPU ms/msg   refused
            """));
        foreach (var run in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Name,-8} {run.Rate,7:F0} {run.CpuMsPerMessage,12:F3} {run.Refused,9}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            mean CPU ms per message: plain {plainCpu:F3}, SPF+DKIM+ARC+DMARC {authCpu:F3}
            overhead of sender authentication: {overhead * 100:F1} % (target at most {TargetOverhead * 100:F0} %)
            """));
        return runs.Any(r => r.Refused > 0) ? 3 : overhead <= TargetOverhead ? 0 : 1;
    }

    private static async Task<Run> MeasureAsync(string name, string dll, string authentication, KnotDns dns, byte[] message, int messages)
    {
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: {messages} messages");
        using var sink = await SmtpSink.StartAsync(messages, CancellationToken.None).ConfigureAwait(false);
        using var warmSink = await SmtpSink.StartAsync(null, CancellationToken.None).ConfigureAwait(false);
        var target = await GatewayTarget.StartAsync(
            dll,
            $"""
            limits:
              connections_per_ip: 1000
            delivery:
              routes:
                warm.test:
                  - host: 127.0.0.1
                    port: {warmSink.Port}
                "*":
                  - host: 127.0.0.1
                    port: {sink.Port}
            {authentication}
            """,
            domains: "[bench.test, warm.test]",
            trustedNetworks: "[\"10.255.0.0/16\"]",
            dnsServer: dns.EndPoint.ToString()).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            var clients = new List<ProbeClient>();
            for (var i = 0; i < Sessions; i++)
            {
                clients.Add(await ProbeClient.ConnectAsync(target.EndPoint, CancellationToken.None).ConfigureAwait(false));
            }

            try
            {
                // Warm-up through the whole path (JIT, DNS cache, connection pool) to a sink of its own, not counted:
                // the comparison is of the steady state, not of compiling the checks' code once.
                await Task.WhenAll(clients.Select(async client =>
                {
                    for (var i = 0; i < WarmUpPerSession; i++)
                    {
                        await client.SendAsync(Sender, WarmRecipient, message, CancellationToken.None).ConfigureAwait(false);
                    }
                })).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);

                var cpuBefore = ProcessCpu.Seconds(target.Processes());
                var watch = Stopwatch.StartNew();
                var refused = 0;
                var next = 0;
                await Task.WhenAll(clients.Select(async client =>
                {
                    while (Interlocked.Increment(ref next) <= messages)
                    {
                        if (await client.SendAsync(Sender, Recipient, message, CancellationToken.None).ConfigureAwait(false) is null)
                        {
                            Interlocked.Increment(ref refused);
                        }
                    }
                })).ConfigureAwait(false);

                var delivered = await sink.Process.WaitForExitAsync(TimeSpan.FromMinutes(5), CancellationToken.None).ConfigureAwait(false);
                var seconds = watch.Elapsed.TotalSeconds;
                var cpu = ProcessCpu.Seconds(target.Processes()) - cpuBefore;
                if (!delivered)
                {
                    Console.Error.WriteLine($"{name}: the sink did not receive every message\n{target.Output}");
                    refused = Math.Max(refused, 1);
                }

                return new Run(name, messages, seconds, cpu, refused);
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }
        }
    }

    private static byte[] SignedMessage(DkimGeneratedKey key)
    {
        var text = new StringBuilder();
        text.Append("From: Alice <alice@sender.bench>\r\nTo: <user@bench.test>\r\nSubject: signed load\r\n");
        text.Append("Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <load@sender.bench>\r\nMIME-Version: 1.0\r\n");
        text.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        var line = new string('x', 78) + "\r\n";
        for (var length = 0; length < BodyLength; length += line.Length)
        {
            text.Append(line);
        }

        var raw = Encoding.ASCII.GetBytes(text.ToString());
        using var signingKey = DkimSigningKey.FromPem("sender.bench", "sel", key.PrivateKeyPem);
        var signature = new DkimSigningService(TimeProvider.System).Sign(raw, [signingKey]);
        return [.. Encoding.ASCII.GetBytes(signature), .. raw];
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
