using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Spam.Classifier;
using Gateway.Testing.Peers;

namespace Gateway.Bench;

/// <summary>
/// The cost of sender authentication: two gateways relay the same DKIM-signed 5 KiB inbound message from an
/// untrusted client to smtp-sink, one with SPF, DKIM, ARC and DMARC off and one with them on (the sender's SPF,
/// DKIM key and DMARC records served by a knot server on 127.0.0.1, cached by the gateway's resolver). Both run
/// side by side, warmed up, and take batches in turn (plain, auth, auth, plain, ...), each batch measured from
/// its first message to its last delivery, so that what else the machine does at the time weighs on both alike.
/// The gateway's CPU time per message is compared. The load is 20 sessions of our own client (smtp-source cannot
/// send a signed message). With --content, a third gateway also scores the content (the spam: section: a classifier
/// model learned from the 2002 sets of the public corpus, tag action), so its cost per message shows next to the
/// sender checks'. The body is English prose with links, as the classifier meets it, not a filler pattern.
/// Loopback only.
/// </summary>
internal static class AuthBenchmark
{
    private const int Sessions = 20;
    private const int BodyLength = 5120;
    private const double TargetOverhead = 0.20;
    private const string Sender = "alice@sender.bench";
    private const string Recipient = "user@bench.test";
    private const int WarmUpPerSession = 250;
    private const double TargetContentMs = 1.0;

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

    private sealed record Run(string Name, int Messages, double Seconds, double CpuSeconds, double UserSeconds, int Refused)
    {
        public double CpuMsPerMessage => CpuSeconds * 1000.0 / Messages;

        public double UserMsPerMessage => UserSeconds * 1000.0 / Messages;

        public double Rate => Messages / Seconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dll = Option(args, "--gateway") ?? throw new ArgumentException("--gateway is required");
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
        await using var dns = await SenderZone.StartAsync(key).ConfigureAwait(false);
        var message = SignedMessage(key);
        var corpus = Option(args, "--content");
        var work = Directory.CreateTempSubdirectory("gateway-bench-model");

        await using var plainGateway = await Subject.StartAsync("plain", dll, ChecksOff, dns, message).ConfigureAwait(false);
        await using var authGateway = await Subject.StartAsync("auth", dll, checksOn, dns, message).ConfigureAwait(false);
        await using var contentGateway = corpus is null
            ? null
            : await Subject.StartAsync("content", dll, checksOn + "\n" + ContentPolicy(corpus, work.FullName), dns, message).ConfigureAwait(false);
        var runs = new List<Run>();
        for (var round = 0; round < rounds; round++)
        {
            // ABBA order: a drift in the machine's speed during a round weighs on all sides equally.
            Subject[] subjects = contentGateway is null ? [plainGateway, authGateway] : [plainGateway, authGateway, contentGateway];
            var order = round % 2 == 0 ? subjects : subjects.Reverse().ToArray();
            foreach (var subject in order)
            {
                runs.Add(await subject.MeasureAsync(message, messages).ConfigureAwait(false));
            }
        }

        var plain = runs.Where(r => r.Name == "plain").ToList();
        var auth = runs.Where(r => r.Name == "auth").ToList();
        var plainCpu = plain.Average(r => r.CpuMsPerMessage);
        var authCpu = auth.Average(r => r.CpuMsPerMessage);
        var overhead = authCpu / plainCpu - 1;
        var userOverhead = auth.Average(r => r.UserMsPerMessage) / plain.Average(r => r.UserMsPerMessage) - 1;

        // Each round's own pair shows how much the figure moves from run to run on this machine.
        var perRound = plain.Zip(auth, (p, a) => a.CpuMsPerMessage / p.CpuMsPerMessage - 1).ToList();
        var deferred = await plainGateway.DeferredAsync().ConfigureAwait(false) + await authGateway.DeferredAsync().ConfigureAwait(false);
        var failed = runs.Any(r => r.Refused > 0) || deferred > 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            auth benchmark: {messages} DKIM-signed messages ({BodyLength} B body) per batch from {Sessions} sessions, inbound from an untrusted client, relayed to smtp-sink; {rounds} rounds of a batch each, alternating; loopback; {Environment.ProcessorCount} cores
            run        msg/s   CPU ms/msg  user ms/msg   refused
            """));
        foreach (var run in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Name,-8} {run.Rate,7:F0} {run.CpuMsPerMessage,12:F3} {run.UserMsPerMessage,12:F3} {run.Refused,9}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            mean CPU ms per message: plain {plainCpu:F3}, SPF+DKIM+ARC+DMARC {authCpu:F3} ({(authCpu - plainCpu) * 1000:+0;-0} us)
            overhead per round: {string.Join(", ", perRound.Select(o => (o * 100).ToString("F1", CultureInfo.InvariantCulture) + " %"))}; of user time alone: {userOverhead * 100:F1} %
            deliveries deferred: {deferred}
            overhead of sender authentication: {overhead * 100:F1} % (target at most {TargetOverhead * 100:F0} %)
            """));
        var contentMet = true;
        if (contentGateway is not null)
        {
            var content = runs.Where(r => r.Name == "content").ToList();
            var contentMs = content.Average(r => r.CpuMsPerMessage) - authCpu;
            deferred += await contentGateway.DeferredAsync().ConfigureAwait(false);
            failed |= content.Any(r => r.Refused > 0);
            contentMet = contentMs <= TargetContentMs;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"content scoring: {content.Average(r => r.CpuMsPerMessage):F3} CPU ms/msg with it, {contentMs * 1000:+0;-0} us per message over sender authentication alone (target at most {TargetContentMs:F1} ms)"));
        }

        work.Delete(recursive: true);
        return failed ? 3 : overhead <= TargetOverhead && contentMet ? 0 : 1;
    }

    /// <summary>One gateway with its sink and its 20 client sessions, kept for all its batches.</summary>
    private sealed class Subject : IAsyncDisposable
    {
        private readonly string _name;
        private readonly SmtpSink _sink;
        private readonly GatewayTarget _target;
        private readonly List<ProbeClient> _clients;
        private long _delivered;

        private Subject(string name, SmtpSink sink, GatewayTarget target, List<ProbeClient> clients)
        {
            _name = name;
            _sink = sink;
            _target = target;
            _clients = clients;
        }

        public static async Task<Subject> StartAsync(string name, string dll, string authentication, KnotDns dns, byte[] message)
        {
            var sink = await SmtpSink.StartAsync(null, CancellationToken.None).ConfigureAwait(false);
            var target = await GatewayTarget.StartAsync(
                dll,
                $"""
                limits:
                  connections_per_ip: 1000
                delivery:
                  routes:
                    "*":
                      - host: 127.0.0.1
                        port: {sink.Port}
                {authentication}
                """,
                domains: "[bench.test]",
                trustedNetworks: "[\"10.255.0.0/16\"]",
                dnsServer: dns.EndPoint.ToString()).ConfigureAwait(false);
            var clients = new List<ProbeClient>();
            for (var i = 0; i < Sessions; i++)
            {
                clients.Add(await ProbeClient.ConnectAsync(target.EndPoint, CancellationToken.None).ConfigureAwait(false));
            }

            var subject = new Subject(name, sink, target, clients);

            // Warm-up through the whole path (JIT, DNS cache, connection pool), not counted: the comparison is of
            // the steady state, not of compiling the checks' code once.
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}: warming up");
            await subject.SendAsync(message, WarmUpPerSession * Sessions).ConfigureAwait(false);
            return subject;
        }

        public async Task<Run> MeasureAsync(byte[] message, int messages)
        {
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {_name}: {messages} messages");
            var (userBefore, systemBefore) = ProcessCpu.UserAndSystemSeconds(_target.Processes());
            var watch = Stopwatch.StartNew();
            var refused = await SendAsync(message, messages).ConfigureAwait(false);
            var seconds = watch.Elapsed.TotalSeconds;
            var (userAfter, systemAfter) = ProcessCpu.UserAndSystemSeconds(_target.Processes());
            var user = userAfter - userBefore;
            return new Run(_name, messages, seconds, user + systemAfter - systemBefore, user, refused);
        }

        /// <summary>Sends the messages and waits until the gateway has delivered them; returns how many failed.</summary>
        private async Task<int> SendAsync(byte[] message, int messages)
        {
            var refused = 0;
            var next = 0;
            await Task.WhenAll(_clients.Select(async client =>
            {
                while (Interlocked.Increment(ref next) <= messages)
                {
                    if (await client.SendAsync(Sender, Recipient, message, CancellationToken.None).ConfigureAwait(false) is null)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            })).ConfigureAwait(false);

            _delivered += messages - refused;
            var deadline = Stopwatch.StartNew();
            while (await DeliveredAsync().ConfigureAwait(false) < _delivered)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                {
                    await Console.Error.WriteLineAsync($"{_name}: the sink did not receive every message\n{_target.Output}").ConfigureAwait(false);
                    return Math.Max(refused, 1);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
            }

            return refused;
        }

        /// <summary>
        /// Delivery attempts finished: delivered, or deferred (a deferred message is retried minutes later, long
        /// after its batch; it counts as done for the batch, as the work for it was).
        /// </summary>
        private Task<long> DeliveredAsync() => _target.CountersAsync("gateway_recipients_delivered_total", "gateway_recipients_deferred_total");

        /// <summary>Delivery attempts that ended in a temporary failure; a sink that takes everything should see none.</summary>
        public Task<long> DeferredAsync() => _target.CountersAsync("gateway_recipients_deferred_total");

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            await _target.DisposeAsync().ConfigureAwait(false);
            _sink.Dispose();
        }
    }

    /// <summary>
    /// The spam: section of the content gateway: a model learned from the corpus's 2002 sets, written where the policy
    /// names it, the default threshold, tag action (every message is scored and gets its X-Spam fields).
    /// </summary>
    internal static string ContentPolicy(string corpusDirectory, string work)
    {
        var corpus = SpamCorpus.Load(corpusDirectory, includeHeldOut: false);
        var model = new SpamModel();
        model.Train(corpus.Training.Select(m => ((ReadOnlyMemory<byte>)m.Bytes, m.IsSpam)));
        var path = Path.Combine(work, "spam.model");
        SpamModelFile.Save(model, path);
        return $"""
            spam:
              model: {path}
              action: tag
              rules:
                - name: BENCH_PRIZE
                  target: body
                  pattern: '\b(prize|winner|lottery)\b'
                  score: 2.0
            """;
    }

    internal static byte[] SignedMessage(DkimGeneratedKey key)
    {
        var text = new StringBuilder();
        text.Append("From: Alice <alice@sender.bench>\r\nTo: <user@bench.test>\r\nSubject: signed load\r\n");
        text.Append("Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <load@sender.bench>\r\nMIME-Version: 1.0\r\n");
        text.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        string[] words =
        [
            "the", "meeting", "agenda", "for", "next", "week", "includes", "budget", "review", "and", "a", "short", "update",
            "on", "the", "migration", "project", "please", "send", "your", "comments", "before", "Thursday", "regards",
            "report", "attached", "numbers", "quarter", "server", "customer", "invoice", "schedule", "team", "thanks",
        ];
        var random = new Random(25);
        var body = new StringBuilder();
        while (body.Length < BodyLength)
        {
            var line = new StringBuilder();
            while (line.Length < 70)
            {
                line.Append(words[random.Next(words.Length)]).Append(' ');
            }

            body.Append(line.ToString().TrimEnd()).Append("\r\n");
            if (body.Length % 1500 < 75)
            {
                body.Append("https://intranet.sender.bench/projects/").Append(random.Next(1000)).Append("\r\n");
            }
        }

        text.Append(body);

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
