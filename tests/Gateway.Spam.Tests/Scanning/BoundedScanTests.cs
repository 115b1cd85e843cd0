using System.Diagnostics;
using System.Text;
using Gateway.Spam.Rules;
using Gateway.Spam.Scanning;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Tests.Scanning;

/// <summary>DESIGN invariant 4: hostile shapes give a verdict in bounded time and memory.</summary>
public sealed class BoundedScanTests
{
    private static readonly SpamScorer Scorer = new(
        SpamRuleSet.Create([new SpamRuleDefinition("BODY_PILLS", SpamRuleTarget.Body, "pills", 3)]),
        null,
        SpamScoringOptions.Default);

    private static (SpamVerdict Verdict, long Allocated, TimeSpan Elapsed) Measure(byte[] message)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var verdict = Scorer.Score(message, SpamContext.None);
        return (verdict, GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
    }

    [Fact]
    public void A_50_megabyte_message_is_scored_on_its_prefix()
    {
        var body = new StringBuilder("pills\r\n");
        var line = new string('x', 76) + "\r\n";
        while (body.Length < 50 * 1024 * 1024)
        {
            body.Append(line);
        }

        var message = TestMessages.Plain(body.Append(SpamRuleSet.Gtube).ToString());

        var (verdict, allocated, elapsed) = Measure(message);

        Assert.True(verdict.Truncated);
        Assert.Equal(3, verdict.Score); // the rule near the start matched; GTUBE beyond the scan limit was not read
        Assert.True(allocated < 16 * ScanLimits.Default.MaxScanBytes, $"allocated {allocated} bytes");
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
    }

    [Fact]
    public void A_thousand_parts_are_visited_only_up_to_the_part_limit()
    {
        var message = Start("parts").Append("Content-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (var i = 0; i < 1_000; i++)
        {
            message.Append(CultureInfoInvariant($"--p\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"));
        }

        message.Append("--p\r\nContent-Type: text/plain\r\n\r\npills\r\n--p--\r\n");

        // The last part, past the limit, is not decoded.
        AssertCutShortWithoutRuleHit(message);
    }

    [Fact]
    public void A_hundred_deep_nesting_is_cut_at_the_depth_limit()
    {
        var message = Start("deep");
        for (var i = 0; i < 100; i++)
        {
            message.Append(CultureInfoInvariant($"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"));
        }

        message.Append("Content-Type: text/plain\r\n\r\npills\r\n");
        for (var i = 99; i >= 0; i--)
        {
            message.Append(CultureInfoInvariant($"--b{i}--\r\n"));
        }

        // The innermost text, below the depth limit, is opaque.
        AssertCutShortWithoutRuleHit(message);
    }

    [Fact]
    public void Broken_base64_still_gives_a_verdict_from_what_decodes()
    {
        var good = Convert.ToBase64String(Encoding.ASCII.GetBytes("cheap pills here"));
        var message = Encoding.ASCII.GetBytes(
            "From: a@example.org\r\nTo: b@example.net\r\nSubject: b64\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            good + "\r\n!!!%%%***not base64 at all===\r\nQUJD=\r\n=====\r\n");

        var verdict = Scorer.Score(message, SpamContext.None);

        Assert.Equal(3, verdict.Score);
    }

    [Fact]
    public void Bytes_that_are_not_a_message_at_all_give_a_verdict()
    {
        var noise = new byte[100_000];
        new Random(13).NextBytes(noise);

        var verdict = Scorer.Score(noise, SpamContext.None);

        Assert.False(verdict.IsSpam);
    }

    private static StringBuilder Start(string subject) =>
        new($"From: a@example.org\r\nTo: b@example.net\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n");

    private static void AssertCutShortWithoutRuleHit(StringBuilder message)
    {
        var (verdict, _, elapsed) = Measure(Encoding.ASCII.GetBytes(message.ToString()));

        Assert.True(verdict.Truncated);
        Assert.Equal(0, verdict.Score);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}
