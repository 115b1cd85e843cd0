using Gateway.Spam.Classifier;

namespace Gateway.Spam.Tests.Classifier;

public sealed class LogisticModelTests
{
    [Fact]
    public void A_first_adaptive_step_moves_each_weight_by_the_rate_whatever_the_error()
    {
        var model = new LogisticModel();
        var squares = new float[model.Weights.Length];

        // An untrained model says 0.5: a plain step would move each weight by rate × 0.5.
        model.AdaptiveStep([1, 2], isSpam: true, rate: 0.1, biasRate: 0.05, l2: 0, squares);

        Assert.Equal(0.1, model.Weight(1), 4);
        Assert.Equal(0.1, model.Weight(2), 4);
        Assert.Equal(0.025, model.Bias, 4);
        Assert.Equal(1, model.Updates);
    }

    [Fact]
    public void A_feature_stepped_on_often_moves_less_than_one_seen_for_the_first_time()
    {
        var model = new LogisticModel();
        var squares = new float[model.Weights.Length];
        for (var i = 0; i < 10; i++)
        {
            model.AdaptiveStep([1], isSpam: i % 2 == 0, rate: 0.1, biasRate: 0, l2: 0, squares);
        }

        var (often, fresh) = (model.Weight(1), model.Weight(2));
        model.AdaptiveStep([1, 2], isSpam: true, rate: 0.1, biasRate: 0, l2: 0, squares);

        Assert.True(model.Weight(1) - often < (model.Weight(2) - fresh) / 2);
    }
}
