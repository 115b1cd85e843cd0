using Gateway.Spam.Classifier;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Tests.Classifier;

public sealed class SpamModelTests
{
    private static SpamModel Trained(int each = 20)
    {
        var model = new SpamModel();
        for (var i = 0; i < each; i++)
        {
            model.Learn(TestMessages.Plain(TestMessages.Ham(i)), isSpam: false);
            model.Learn(TestMessages.Plain(TestMessages.Spam(i), subject: "WIN BIG NOW", from: "Prize Desk <winner@promo.example>"), isSpam: true);
        }

        return model;
    }

    [Fact]
    public void An_untrained_model_is_unsure()
    {
        Assert.Equal(0.5, new SpamModel().Classify(TestMessages.Plain(TestMessages.Spam(1))));
    }

    [Fact]
    public void Training_moves_unseen_messages_of_each_kind_toward_their_side()
    {
        var model = Trained();
        var unseenHam = TestMessages.Plain(TestMessages.Ham(500).Replace("quarterly", "annual", StringComparison.Ordinal));
        var unseenSpam = TestMessages.Plain(TestMessages.Spam(500), subject: "WIN BIG TODAY", from: "Prize Desk <winner@promo.example>");

        Assert.True(model.Classify(unseenHam) < 0.1, $"ham p={model.Classify(unseenHam)}");
        Assert.True(model.Classify(unseenSpam) > 0.9, $"spam p={model.Classify(unseenSpam)}");
    }

    [Fact]
    public void Forget_takes_back_exactly_what_learn_added()
    {
        var model = Trained(5);
        var features = model.FeatureCount;
        var message = TestMessages.Plain("an entirely different message about gardening and tomatoes");
        var before = model.Classify(TestMessages.Plain(TestMessages.Spam(3)));

        model.Learn(message, isSpam: true);
        Assert.True(model.FeatureCount > features);
        model.Forget(message, isSpam: true);

        Assert.Equal(features, model.FeatureCount);
        Assert.Equal(5, model.SpamMessages);
        Assert.Equal(before, model.Classify(TestMessages.Plain(TestMessages.Spam(3))));
    }

    [Fact]
    public void A_saved_model_loads_with_the_same_counts_and_gives_the_same_probabilities()
    {
        var model = Trained(10);
        using var file = new MemoryStream();
        SpamModelFile.Save(model, file);
        file.Position = 0;

        var loaded = SpamModelFile.Load(file);

        Assert.Equal(model.HamMessages, loaded.HamMessages);
        Assert.Equal(model.SpamMessages, loaded.SpamMessages);
        Assert.Equal(model.Counts, loaded.Counts);
        var probe = TestMessages.Plain(TestMessages.Spam(77));
        Assert.Equal(model.Classify(probe), loaded.Classify(probe));
        // Compact: a few bytes per feature.
        Assert.True(file.Length < model.FeatureCount * 10, $"{file.Length} bytes for {model.FeatureCount} features");
    }

    [Fact]
    public void A_model_file_written_to_disk_replaces_the_old_one_whole()
    {
        var path = Path.Combine(Path.GetTempPath(), $"spam-model-{Guid.NewGuid():N}.bin");
        try
        {
            SpamModelFile.Save(new SpamModel(), path);
            SpamModelFile.Save(Trained(3), path);

            Assert.Equal(3, SpamModelFile.Load(path).HamMessages);
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { (byte)'G', (byte)'W', (byte)'S', (byte)'P', (byte)'A', (byte)'M', 1, 5 })]
    public void A_file_that_is_not_a_model_or_is_cut_short_is_refused(byte[] content)
    {
        Assert.Throws<InvalidDataException>(() => SpamModelFile.Load(new MemoryStream(content)));
    }

    [Fact]
    public void The_scorer_turns_the_probability_into_points_and_a_named_reason()
    {
        var scorer = new SpamScorer(SpamRuleSet.Empty, Trained(), SpamScoringOptions.Default);

        var spam = scorer.Score(TestMessages.Plain(TestMessages.Spam(900), subject: "WIN BIG NOW", from: "Prize Desk <winner@promo.example>"), SpamContext.None);
        var ham = scorer.Score(TestMessages.Plain(TestMessages.Ham(900)), SpamContext.None);

        Assert.True(spam.IsSpam);
        Assert.Equal("BAYES_99", Assert.Single(spam.Reasons).Name);
        Assert.False(ham.IsSpam);
        Assert.True(ham.Score < 0);
        Assert.Equal("BAYES_00", Assert.Single(ham.Reasons).Name);
    }
}
