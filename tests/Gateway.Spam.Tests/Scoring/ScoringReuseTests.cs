using System.Text;
using Gateway.Spam.Classifier;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Tests.Scoring;

/// <summary>A scorer reuses its parsers and feature sets between messages: nothing of one message may reach the next.</summary>
public sealed class ScoringReuseTests
{
    private static readonly SpamModel Model = Trained();

    private static SpamModel Trained()
    {
        var model = new SpamModel();
        model.Train(Enumerable.Range(0, 20).SelectMany(i => new (ReadOnlyMemory<byte>, bool)[]
        {
            (TestMessages.Plain(TestMessages.Ham(i)), false),
            (TestMessages.Plain(TestMessages.Spam(i), subject: "WIN BIG NOW", from: "Prize Desk <winner@promo.example>"), true),
        }));
        return model;
    }

    private static SpamScorer NewScorer() =>
        new(SpamRuleSet.Create([new SpamRuleDefinition("BODY_CASH", SpamRuleTarget.Body, @"\bcash\b", 1.25)]), Model, SpamScoringOptions.Default);

    /// <summary>Messages of every shape, one with more distinct words than a kept feature set holds.</summary>
    private static List<byte[]> Messages()
    {
        var many = new StringBuilder();
        for (var i = 0; i < ScoringScratch.MaxKeptFeatures + 500; i++)
        {
            many.Append("word").Append(ToLetters(i)).Append(' ');
        }

        return
        [
            TestMessages.Plain(TestMessages.Spam(3), subject: "WIN BIG NOW"),
            TestMessages.Plain(many.ToString()),
            TestMessages.Plain(TestMessages.Ham(4)),
            TestMessages.Html("<p>Claim your <b>cash</b> at <a href=\"http://198.51.100.7/x\">our bank</a></p>"),
            TestMessages.WithAttachment("invoice.pdf.exe"),
            TestMessages.Base64Text(TestMessages.Ham(7)),
            Encoding.ASCII.GetBytes("not a message at all"),
            TestMessages.Plain(TestMessages.Ham(1)),
        ];
    }

    private static string ToLetters(int i)
    {
        var letters = new StringBuilder();
        do
        {
            letters.Append((char)('a' + (i % 26)));
            i /= 26;
        }
        while (i > 0);
        return letters.ToString();
    }

    [Fact]
    public void A_shared_scorer_gives_each_message_the_verdict_a_fresh_scorer_gives()
    {
        var messages = Messages();
        var expected = messages.Select(m => NewScorer().Score(m, SpamContext.None)).ToList();
        var shared = NewScorer();

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var verdict = shared.Score(messages[i], SpamContext.None);
                Assert.Equal(expected[i].Score, verdict.Score);
                Assert.Equal(expected[i].ClassifierProbability, verdict.ClassifierProbability);
                Assert.Equal(expected[i].Reasons.Select(r => r.Name), verdict.Reasons.Select(r => r.Name));
            }
        }
    }

    [Fact]
    public void Sessions_scoring_at_once_on_one_scorer_get_the_verdicts_they_get_alone()
    {
        var messages = Messages();
        var expected = messages.Select(m => NewScorer().Score(m, SpamContext.None).ClassifierProbability).ToList();
        var shared = NewScorer();
        var results = new double?[messages.Count * 40];

        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = shared.Score(messages[i % messages.Count], SpamContext.None).ClassifierProbability);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % messages.Count], results[i]);
        }
    }

    [Fact]
    public void A_parser_that_read_a_large_message_is_not_kept_for_reuse()
    {
        var scorer = NewScorer();
        var large = TestMessages.Plain("hello", extraHeaders: "X-Long: " + new string('a', SpamScorer.MaxPooledParserMessage) + "\r\n");

        scorer.Scan(TestMessages.Plain(TestMessages.Ham(1)));
        Assert.Equal(1, scorer.PooledParsers);

        // Its header buffer grew to the long field: dropped, not pinned in the pool.
        scorer.Scan(large);
        Assert.Equal(0, scorer.PooledParsers);

        scorer.Scan(TestMessages.Plain(TestMessages.Ham(2)));
        Assert.Equal(1, scorer.PooledParsers);
    }
}
