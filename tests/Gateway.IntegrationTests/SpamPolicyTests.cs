using System.Globalization;
using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// Content spam policy on the real gateway: a classifier model trained by `gateway spam train`, per-domain actions
/// (ours.test rejects, example.test tags), mail over SMTP from 127.0.0.1 (untrusted, so inbound and scored) and
/// smtp-sink as the internal server of example.test.
/// </summary>
public sealed class SpamPolicyTests
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    [Fact]
    public async Task Gtube_is_refused_where_the_domain_rejects_and_tagged_where_it_tags_and_ham_gets_the_status_header()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink));
        var model = await TrainAsync(policy.Directory);
        policy.ExtraYaml += "spam:\n  action: tag\n  subject_prefix: \"[SPAM]\"\n" +
            $"  model: {model}\n  domains:\n    ours.test: {{action: reject}}\n";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var refused = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "x@sender.test", "bob@ours.test", Message("spam-1", "test", Gtube));
        Assert.Equal(550, refused.Code);
        Assert.Equal("5.7.1", refused.EnhancedCode);

        var tagged = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "x@sender.test", "bob@example.test", Message("spam-2", "test", Gtube));
        Assert.Equal(250, tagged.Code);

        // A client's own verdict is never believed: its X-Spam-Status must not reach the internal server.
        var ham = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "alice@sender.test", "bob@example.test",
            Message("ham-1", "Budget review moved", "Hi Bob, the quarterly budget review moved to Thursday; please bring the spreadsheet. Alice", "X-Spam-Status: No, score=-100\r\n"));
        Assert.Equal(250, ham.Code);

        var delivered = await sink.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30));
        var spam = Assert.Single(delivered, m => m.Contains("<spam-2@sender.test>", StringComparison.Ordinal));
        Assert.Contains("X-Spam-Status: Yes, score=", spam, StringComparison.Ordinal);
        Assert.Contains("tests=GTUBE", spam, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Flag: YES", spam, StringComparison.Ordinal);
        Assert.Contains("Subject: [SPAM] test", spam, StringComparison.Ordinal);
        Assert.Single(spam.Split('\n'), l => l.StartsWith("Subject:", StringComparison.Ordinal));

        var wanted = Assert.Single(delivered, m => m.Contains("<ham-1@sender.test>", StringComparison.Ordinal));
        var status = Assert.Single(wanted.Split('\n'), l => l.StartsWith("X-Spam-Status:", StringComparison.Ordinal));
        Assert.StartsWith("X-Spam-Status: No, score=-", status, StringComparison.Ordinal);
        Assert.Contains("bayes=0.", status, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Score: -", wanted, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Spam-Flag", wanted, StringComparison.Ordinal);
        Assert.Contains("Subject: Budget review moved", wanted, StringComparison.Ordinal);

        // The trace says what became of the tagged message: delivered, as spam.
        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--to", "bob@example.test", "--config", policy.MainFile);
        Assert.Contains(trace.StdOut.Split('\n'), l => l.Contains(" received from=<x@sender.test>", StringComparison.Ordinal)
            && l.Contains("; verdict spam 1", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" tag)", StringComparison.Ordinal));

        // Every verdict, the refused one included, is in the gateway's log.
        Assert.Equal(3, await gateway.WaitForLogCountAsync(l => l.Contains("Spam verdict", StringComparison.Ordinal), 3, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Spam_train_takes_one_folder_alone_and_extends_the_model_with_it()
    {
        var directory = new TestPolicy().Directory;
        var model = await TrainAsync(directory);

        // The ham that `quarantine release --learn` keeps is taught on its own.
        var released = Directory.CreateDirectory(Path.Combine(directory, "released")).FullName;
        await File.WriteAllTextAsync(Path.Combine(released, "1"), Message("r1", "Budget review", "Hi Bob, the budget review moved to Tuesday. Thanks, Alice"));
        await File.WriteAllTextAsync(Path.Combine(released, "2"), Message("r2", "Room change", "Hi Bob, the notes for the review are in the shared folder. Alice"));
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(directory, null, "spam", "train", "--ham", released, "--model", model);
        Assert.True(exit == 0, stderr);
        Assert.Contains("learned 2 ham and 0 spam messages", stdout, StringComparison.Ordinal);
        Assert.Contains("12 ham, 10 spam", stdout, StringComparison.Ordinal);

        var neither = await GatewayProcess.RunToCompletionAsync(directory, null, "spam", "train", "--model", model);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("needs --ham DIR, --spam DIR or both", neither.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_from_an_older_gateway_is_not_extended_and_is_named_at_load_by_check_and_by_the_running_gateway()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink));
        var fresh = await TrainAsync(policy.Directory);
        var outdated = Path.Combine(policy.Directory, "old.model");
        await File.WriteAllBytesAsync(outdated, VersionOneModel());
        var before = await File.ReadAllBytesAsync(outdated);

        var extend = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "spam", "train",
            "--ham", Path.Combine(policy.Directory, "ham"), "--spam", Path.Combine(policy.Directory, "spam"), "--model", outdated);
        Assert.Equal(1, extend.ExitCode);
        Assert.Contains("written by an older gateway (file version 1) and cannot be extended", extend.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(outdated));

        policy.ExtraYaml += $"spam:\n  action: tag\n  model: {outdated}\n";
        policy.Write();
        var check = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "check", "--config", policy.MainFile);
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        var warning = Assert.Single(check.StdOut.Split('\n'), l => l.Contains("warning: spam.model", StringComparison.Ordinal));
        Assert.Matches(@"gateway\.yaml:\d+:\d+: warning: spam\.model '.*old\.model' was written by an older gateway", warning);

        await using (var gateway = await GatewayProcess.StartAsync(policy))
        {
            await gateway.WaitForLogAsync(l => l.Contains("was written by an older gateway (file version 1)", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }

        // A model this gateway wrote draws no warning.
        policy.ExtraYaml = policy.ExtraYaml.Replace(outdated, fresh, StringComparison.Ordinal);
        policy.Write();
        var clean = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "check", "--config", policy.MainFile);
        Assert.True(clean.ExitCode == 0, clean.StdOut + clean.StdErr);
        Assert.DoesNotContain("warning", clean.StdOut, StringComparison.Ordinal);
    }

    /// <summary>A version 1 model file: header, 3 ham and 3 spam learned, no features, an empty logistic model.</summary>
    private static byte[] VersionOneModel() => [.. "GWSPAM"u8, 1, 3, 3, 0, 0, 0, 0, 0, 0, 0];

    private static string Message(string id, string subject, string body, string extraHeaders = "") =>
        $"From: <x@sender.test>\r\nTo: <bob@example.test>\r\nSubject: {subject}\r\nMessage-ID: <{id}@sender.test>\r\n{extraHeaders}\r\n{body}\r\n";

    /// <summary>`gateway spam train` over two small folders; returns the model path.</summary>
    private static async Task<string> TrainAsync(string directory)
    {
        var ham = Directory.CreateDirectory(Path.Combine(directory, "ham")).FullName;
        var spam = Directory.CreateDirectory(Path.Combine(directory, "spam")).FullName;
        for (var i = 0; i < 10; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            await File.WriteAllTextAsync(Path.Combine(ham, n), Message("h" + n, "Meeting notes " + n,
                $"Hi Bob, the quarterly budget review for project {n} moved to room {n}. Please bring the spreadsheet and the notes. Thanks, Alice"));
            await File.WriteAllTextAsync(Path.Combine(spam, n), Message("s" + n, "WIN A FREE PRIZE " + n,
                $"CONGRATULATIONS you have won a free prize {n}! Click here to claim your cash reward now, limited offer, act now"));
        }

        var model = Path.Combine(directory, "spam.model");
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(directory, null, "spam", "train", "--ham", ham, "--spam", spam, "--model", model);
        Assert.True(exit == 0, stderr);
        Assert.Contains("learned 10 ham and 10 spam messages", stdout, StringComparison.Ordinal);
        return model;
    }
}
