using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// The quarantine on the real gateway: example.test tags spam at 5 and quarantines it at 10, smtp-sink is its
/// internal server. GTUBE is accepted (250) and kept, never delivered, until it is released (by `gateway quarantine`
/// or the admin endpoint, which wants the bearer token of admin.token_file), and then it reaches the sink; deleted
/// items are gone. The transaction's summary line carries the verdict.
/// </summary>
public sealed class QuarantineTests
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private const string Token = "it-token-0123456789abcdef0123456789";

    [Fact]
    public async Task Gtube_is_kept_in_the_quarantine_and_released_deleted_and_shown_by_the_cli_and_the_admin_endpoints()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink) + "spam:\n  threshold: 5\n  quarantine_threshold: 10\n");
        await File.WriteAllTextAsync(Path.Combine(policy.Directory, "admin.token"), Token + "\n");
        policy.AdminTokenFile = "admin.token";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var first = await SendGtubeAsync(gateway, "q-1");
        var second = await SendGtubeAsync(gateway, "q-2");
        var third = await SendGtubeAsync(gateway, "q-3");
        var fourth = await SendGtubeAsync(gateway, "q-4");
        var ham = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "alice@sender.test", "bob@example.test",
            "From: <alice@sender.test>\r\nTo: <bob@example.test>\r\nSubject: lunch\r\nMessage-ID: <ham-1@sender.test>\r\n\r\nSee you at noon.\r\n");
        Assert.Equal(250, ham.Code);

        // Ham goes through; the quarantined messages, accepted before it, do not.
        Assert.Contains("<ham-1@sender.test>", Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30))), StringComparison.Ordinal);

        // Every summary line carries its verdict: quarantined with score and threshold, or the ham's score.
        Assert.Equal(4, await gateway.WaitForLogCountAsync(l => Summary(l) && l.Contains("quarantined (spam): spam 10", StringComparison.Ordinal) && l.Contains("/10.0 quarantine", StringComparison.Ordinal), 4, TimeSpan.FromSeconds(10)));
        await gateway.WaitForLogAsync(l => Summary(l) && l.Contains("alice@sender.test", StringComparison.Ordinal) && l.Contains("/5.0 none", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        var list = await CliAsync(policy, "list");
        Assert.Contains("-- 4 quarantined message(s)", list, StringComparison.Ordinal);
        var line = Assert.Single(list.Split('\n'), l => l.StartsWith(first, StringComparison.Ordinal));
        Assert.Contains("spam", line, StringComparison.Ordinal);
        Assert.Contains("reached the quarantine threshold 10.0", line, StringComparison.Ordinal);
        // A retry of the whole queue leaves them alone (no retry in their trace), and says so.
        var (retryExit, retried, retryErrors) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, ["queue", "retry", "--all", "--config", policy.MainFile]);
        Assert.True(retryExit == 0, retryErrors);
        Assert.Contains("0 message(s) scheduled for immediate delivery; 4 held (quarantine", retried, StringComparison.Ordinal);
        var (traceExit, traced, traceErrors) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, ["trace", "--id", first, "--config", policy.MainFile]);
        Assert.True(traceExit == 0, traceErrors);
        Assert.Contains(" held ", traced, StringComparison.Ordinal);
        Assert.DoesNotContain(" retry ", traced, StringComparison.Ordinal);
        var show = await CliAsync(policy, "show", first);
        Assert.Contains("verdict:      spam: spam score", show, StringComparison.Ordinal);
        Assert.Contains("reasons:      GTUBE=", show, StringComparison.Ordinal);
        Assert.Contains("recipient:    bob@example.test", show, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <q-1@sender.test>", show, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("quarantine", UriKind.Relative))).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var items = JsonDocument.Parse(await http.GetStringAsync(new Uri("quarantine", UriKind.Relative))))
        {
            Assert.Equal(4, items.RootElement.GetArrayLength());
            var item = items.RootElement.EnumerateArray().Single(i => i.GetProperty("id").GetString() == first);
            Assert.Equal("spam", item.GetProperty("source").GetString());
            Assert.Equal(10, item.GetProperty("threshold").GetDouble());
            Assert.Contains(item.GetProperty("tests").EnumerateArray(), t => t.GetString()!.StartsWith("GTUBE=", StringComparison.Ordinal));
            Assert.Equal("bob@example.test", Assert.Single(item.GetProperty("recipients").EnumerateArray()).GetString());
        }

        using (var one = JsonDocument.Parse(await http.GetStringAsync(new Uri("quarantine/" + second, UriKind.Relative))))
        {
            Assert.Contains(one.RootElement.GetProperty("headers").EnumerateArray(), h => h.GetString() == "Message-ID: <q-2@sender.test>");
        }

        // Changes only by POST/DELETE, and never from a web page, token or not.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync(new Uri($"quarantine/{second}/release", UriKind.Relative))).StatusCode);
        using (var fromPage = new HttpRequestMessage(HttpMethod.Post, new Uri($"quarantine/{second}/release", UriKind.Relative)))
        {
            fromPage.Headers.Add("Origin", "http://evil.test");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(fromPage)).StatusCode);
        }

        // Released by the CLI (with a copy for training) and by the endpoint: both reach the sink.
        Assert.Contains("released", await CliAsync(policy, "release", first, "--learn"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(new Uri($"quarantine/{second}/release", UriKind.Relative), null)).StatusCode);
        var delivered = await sink.WaitForMessagesAsync(3, TimeSpan.FromSeconds(60));
        Assert.Contains(delivered, m => m.Contains("<q-1@sender.test>", StringComparison.Ordinal));
        Assert.Contains(delivered, m => m.Contains("<q-2@sender.test>", StringComparison.Ordinal));

        // Deleted by the endpoint and by the CLI: gone, never delivered.
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync(new Uri("quarantine/" + third, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync(new Uri("quarantine/" + third, UriKind.Relative))).StatusCode);
        Assert.Contains("deleted", await CliAsync(policy, "delete", fourth), StringComparison.Ordinal);
        Assert.Contains("-- 0 quarantined message(s)", await CliAsync(policy, "list"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("quarantine/" + fourth, UriKind.Relative))).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(3, sink.Messages().Count);

        // The released copy trains the classifier as ham.
        var learned = Path.Combine(policy.Directory, "var", "spam", "learn", "ham");
        Assert.True(File.Exists(Path.Combine(learned, first + ".eml")));
        var spam = Directory.CreateDirectory(Path.Combine(policy.Directory, "spam-samples")).FullName;
        await File.WriteAllTextAsync(Path.Combine(spam, "1"), "From: <x@sender.test>\r\nSubject: WIN A PRIZE\r\n\r\nClaim your free cash prize now\r\n");
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(
            policy.Directory, null, "spam", "train", "--ham", learned, "--spam", spam, "--model", Path.Combine(policy.Directory, "spam.model"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("learned 1 ham and 1 spam messages", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_digest_on_a_recipient_gets_the_list_of_what_was_held_for_them()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink) + "spam:\n  action: quarantine\nquarantine:\n  digest: true\n  digest_hour: 0\n");
        string id;
        await using (var gateway = await GatewayProcess.StartAsync(policy))
        {
            // At start the day's digest went out with nothing in it; this item waits for tomorrow's.
            id = await SendGtubeAsync(gateway, "d-1");
        }

        // Tomorrow, as far as the record of the last digest is concerned.
        var sent = Path.Combine(policy.Directory, "var", "quarantine", "digest-sent");
        Assert.True(File.Exists(sent));
        await File.WriteAllTextAsync(sent, DateTimeOffset.UtcNow.AddDays(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await using (var gateway = await GatewayProcess.StartAsync(policy))
        {
            var digest = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
            Assert.Contains("Subject: Quarantine: 1 message(s) held for you", digest, StringComparison.Ordinal);
            Assert.Contains("id " + id, digest, StringComparison.Ordinal);
            Assert.Contains("subject: offer", digest, StringComparison.Ordinal);
            Assert.Contains("Auto-Submitted: auto-generated", digest, StringComparison.Ordinal);
        }

        // The quarantined message itself was never delivered.
        Assert.DoesNotContain(sink.Messages(), m => m.Contains("<d-1@sender.test>", StringComparison.Ordinal));
    }

    private static bool Summary(string line) => line.Contains("\"EventId\":1070,", StringComparison.Ordinal);

    private static async Task<string> SendGtubeAsync(GatewayProcess gateway, string id)
    {
        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "x@sender.test", "bob@example.test",
            $"From: <x@sender.test>\r\nTo: <bob@example.test>\r\nSubject: offer\r\nMessage-ID: <{id}@sender.test>\r\n\r\n{Gtube}\r\n");
        Assert.Equal(250, reply.Code);
        return reply.Last.Split(' ')[^1];
    }

    private static async Task<string> CliAsync(TestPolicy policy, params string[] args)
    {
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, ["quarantine", .. args, "--config", policy.MainFile]);
        Assert.True(exit == 0, $"gateway quarantine {string.Join(' ', args)}: {exit}\n{stderr}\n{stdout}");
        return stdout;
    }
}
