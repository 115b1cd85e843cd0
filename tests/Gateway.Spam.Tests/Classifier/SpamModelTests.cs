using Gateway.Spam.Classifier;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Tests.Classifier;

public sealed class SpamModelTests
{
    private static SpamModel Trained(int each = 20)
    {
        var model = new SpamModel();
        model.Train(Enumerable.Range(0, each).SelectMany(i => new (ReadOnlyMemory<byte>, bool)[]
        {
            (TestMessages.Plain(TestMessages.Ham(i)), false),
            (TestMessages.Plain(TestMessages.Spam(i), subject: "WIN BIG NOW", from: "Prize Desk <winner@promo.example>"), true),
        }));
        return model;
    }

    [Fact]
    public void A_feature_learned_in_one_message_only_gets_no_logistic_weight()
    {
        var model = new SpamModel();
        model.Train(Enumerable.Range(0, 5).SelectMany(i => new (ReadOnlyMemory<byte>, bool)[]
        {
            (TestMessages.Plain(TestMessages.Ham(i)), false),
            (TestMessages.Plain(TestMessages.Spam(i) + (i == 0 ? " zyxwvut" : "")), true),
        }));

        Assert.Equal(0, WeightOf(model, "w:zyxwvut"));
        Assert.True(WeightOf(model, "w:prize") > 0);
        Assert.True(WeightOf(model, "w:budget") < 0);
    }

    [Fact]
    public void Batch_training_gives_a_feature_few_messages_share_a_full_step_of_its_own()
    {
        // Per-weight rates (LogisticModel.AdaptiveStep): a feature's first step is the whole base rate (0.1) whatever
        // the model's error, where the plain decaying rate gave it 0.05 × the error, so two messages left it near 0.05.
        var model = new SpamModel();
        model.Train(
            Enumerable.Range(0, 20).SelectMany(i => new (ReadOnlyMemory<byte>, bool)[]
            {
                (TestMessages.Plain(TestMessages.Ham(i)), false),
                (TestMessages.Plain(TestMessages.Spam(i) + (i < 2 ? " zyxwvut" : "")), true),
            }),
            epochs: 1);

        Assert.True(WeightOf(model, "w:zyxwvut") > 0.1);
    }

    [Fact]
    public void The_structure_model_weighs_how_a_message_is_made_and_no_word()
    {
        var model = Trained();
        var features = SpamModel.Extract(TestMessages.Plain(TestMessages.Spam(3), subject: "WIN BIG NOW", from: "Prize Desk <winner@promo.example>"), null);
        var words = features.Where(Gateway.Spam.Features.FeatureKind.IsWord).ToArray();
        var others = features.Where(f => !Gateway.Spam.Features.FeatureKind.IsWord(f)).ToArray();

        Assert.NotEmpty(words);
        Assert.Contains(words, f => model.Logistic.Weight(f) != 0);
        Assert.All(words, f => Assert.Equal(0, model.Structure.Weight(f)));
        Assert.Contains(others, f => model.Structure.Weight(f) != 0);
    }

    [Fact]
    public void A_model_file_from_before_the_structure_model_loads_and_scores_with_the_full_model_alone()
    {
        var model = Trained(10);
        var probe = TestMessages.Plain(TestMessages.Spam(77));
        var withBoth = model.Classify(probe);
        model.Structure = new LogisticModel();
        using var file = new MemoryStream();
        SpamModelFile.Save(model, file);
        // Version 1: the same layout without the structure model (an empty one is 6 bytes: updates, bias, count).
        var bytes = file.ToArray()[..^6];
        bytes["GWSPAM".Length] = 1;

        var loaded = SpamModelFile.Load(new MemoryStream(bytes));

        Assert.Equal(0, loaded.Structure.Updates);
        Assert.True(loaded.IsOutdated);
        Assert.Equal(1, loaded.FileVersion);
        Assert.Equal(model.Classify(probe), loaded.Classify(probe));
        Assert.NotEqual(withBoth, loaded.Classify(probe));
    }

    [Fact]
    public void A_model_made_or_saved_here_is_current_and_its_file_says_so()
    {
        var model = Trained(3);
        Assert.False(model.IsOutdated);
        var path = Path.Combine(Path.GetTempPath(), $"gw-model-{Guid.NewGuid():N}");
        try
        {
            SpamModelFile.Save(model, path);
            Assert.Equal(SpamModelFile.Version, SpamModelFile.ReadVersion(path));
            Assert.False(SpamModelFile.Load(path).IsOutdated);
            File.WriteAllText(path, "not a model");
            Assert.Null(SpamModelFile.ReadVersion(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Scoring_ignores_the_weight_slot_of_a_feature_the_model_did_not_learn()
    {
        var model = Trained();
        var novel = TestMessages.Plain("tomatoes and gardening");
        var before = model.Classify(novel);

        // What a hash collision, or an older model that weighed one-off features, leaves in that slot.
        model.Logistic.Weights[Gateway.Spam.Features.FeatureHasher.Hash("w:tomatoes") & ((1u << LogisticModel.Bits) - 1)] = 50;

        Assert.Equal(before, model.Classify(novel));
    }

    private static float WeightOf(SpamModel model, string feature) =>
        model.Logistic.Weights[Gateway.Spam.Features.FeatureHasher.Hash(feature) & ((1u << LogisticModel.Bits) - 1)];

    [Fact]
    public void Learning_after_scoring_changes_later_scores_as_a_fresh_model_would()
    {
        // Scoring reads a table built from the model (ScoringTable); a model that learns after it has scored must not
        // keep scoring from the table of what it knew before.
        var model = Trained();
        var message = TestMessages.Plain("cheap watches and tomatoes for sale today");
        var before = model.Classify(message);

        model.Learn(message, isSpam: true);
        model.Learn(message, isSpam: true);
        var after = model.Classify(message);

        var fresh = Trained();
        fresh.Learn(message, isSpam: true);
        fresh.Learn(message, isSpam: true);
        Assert.True(after > before);
        Assert.Equal(fresh.Classify(message), after);

        model.Forget(message, isSpam: true);
        fresh.Forget(message, isSpam: true);
        Assert.Equal(fresh.Classify(message), model.Classify(message));
    }

    [Fact]
    public void A_frozen_model_scores_every_message_as_before_and_lets_go_of_its_counts_and_weights()
    {
        var model = Trained();
        var messages = new[]
        {
            TestMessages.Plain(TestMessages.Ham(3)),
            TestMessages.Plain(TestMessages.Spam(4), subject: "WIN BIG NOW"),
            TestMessages.Plain("cheap watches and tomatoes for sale today"),
        };
        var before = messages.Select(m => model.Classify(m)).ToArray();
        var features = model.FeatureCount;

        model.Freeze();

        Assert.True(model.IsFrozen);
        Assert.Equal(before, messages.Select(m => model.Classify(m)).ToArray());
        Assert.Equal(features, model.FeatureCount);
        Assert.Empty(model.Counts);
        Assert.Empty(model.Logistic.Weights);
        Assert.Empty(model.Structure.Weights);
    }

    [Fact]
    public void A_frozen_model_refuses_to_learn_forget_train_or_be_saved()
    {
        var model = Trained();
        model.Freeze();
        var message = TestMessages.Plain(TestMessages.Spam(1));

        Assert.Throws<InvalidOperationException>(() => model.Learn(message, isSpam: true));
        Assert.Throws<InvalidOperationException>(() => model.Forget(message, isSpam: true));
        Assert.Throws<InvalidOperationException>(() => model.Train([(message, true)]));
        using var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => SpamModelFile.Save(model, stream));
        Assert.Equal(0, stream.Length);
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
    public void Forget_takes_back_exactly_the_counts_learn_added_and_reverses_its_weight_step()
    {
        var model = Trained(5);
        var counts = new Dictionary<uint, FeatureCounts>(model.Counts);
        var message = TestMessages.Plain("an entirely different message about gardening and tomatoes");
        var probe = TestMessages.Plain(TestMessages.Spam(3));
        var before = model.Classify(probe);

        model.Learn(message, isSpam: true);
        Assert.True(model.FeatureCount > counts.Count);
        model.Forget(message, isSpam: true);

        Assert.Equal(counts, model.Counts);
        Assert.Equal(5, model.SpamMessages);
        Assert.Equal(before, model.Classify(probe), 2);
    }

    [Fact]
    public void Learning_a_message_as_spam_raises_its_probability()
    {
        var model = Trained(5);
        var message = TestMessages.Plain("an entirely different message about gardening and tomatoes");
        var before = model.Classify(message);

        model.Learn(message, isSpam: true);

        Assert.True(model.Classify(message) > before);
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
        Assert.Equal(model.Logistic.Weights, loaded.Logistic.Weights);
        Assert.Equal(model.Logistic.Bias, loaded.Logistic.Bias);
        Assert.Equal(model.Structure.Weights, loaded.Structure.Weights);
        Assert.Equal(model.Structure.Bias, loaded.Structure.Bias);
        Assert.Equal(model.Structure.Updates, loaded.Structure.Updates);
        var probe = TestMessages.Plain(TestMessages.Spam(77));
        Assert.Equal(model.Classify(probe), loaded.Classify(probe));
        // Compact: a few bytes per feature and per weight.
        Assert.True(file.Length < model.FeatureCount * 16, $"{file.Length} bytes for {model.FeatureCount} features");
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
