namespace Gateway.Spam.Classifier;

/// <summary>
/// Logistic regression over the hashed features, trained by stochastic gradient descent with L2 regularisation
/// (weights decay lazily, only when their feature is seen). Weights live in a fixed table indexed by the low bits of
/// the feature id, so the model's size does not grow with what it learns.
/// </summary>
internal sealed class LogisticModel
{
    public const int Bits = 20;
    private const uint Mask = (1u << Bits) - 1;

    /// <summary>Keeps the first adaptive step of a weight finite (its squares start at 0).</summary>
    private const double SquaresFloor = 1e-6;

    public LogisticModel() => Weights = new float[1 << Bits];

    internal LogisticModel(float[] weights, float bias, int updates)
    {
        Weights = weights;
        Bias = bias;
        Updates = updates;
    }

    public float[] Weights { get; }

    public float Bias { get; private set; }

    public int Updates { get; private set; }

    public double Margin(ReadOnlySpan<uint> features)
    {
        double sum = Bias;
        foreach (var feature in features)
        {
            sum += Weights[feature & Mask];
        }

        return sum;
    }

    public double Probability(ReadOnlySpan<uint> features) => Sigmoid(Margin(features));

    public float Weight(uint feature) => Weights[feature & Mask];

    public static double Sigmoid(double margin) => 1 / (1 + Math.Exp(-margin));

    /// <summary>
    /// One step of batch training with a rate of its own per weight (AdaGrad): each weight's step is the base
    /// <paramref name="rate"/> divided by the root of its squared gradients so far, kept in <paramref name="squares"/>
    /// (one per weight, owned by the training run). A feature in half the messages (a common header, a frequent word)
    /// soon moves slowly, while one that a few messages share still learns, so the weights spread over the many
    /// features that describe a kind of mail instead of piling onto the few that were seen most; on the 2002 sets that
    /// ranks newer mail better (bench/run-spam.sh --splits). The bias steps at <paramref name="biasRate"/>.
    /// </summary>
    public void AdaptiveStep(ReadOnlySpan<uint> features, bool isSpam, double rate, double biasRate, double l2, float[] squares)
    {
        var error = (isSpam ? 1.0 : 0.0) - Probability(features);
        Bias += (float)(biasRate * error);
        foreach (var feature in features)
        {
            var i = feature & Mask;
            var gradient = (l2 * Weights[i]) - error;
            squares[i] += (float)(gradient * gradient);
            Weights[i] -= (float)(rate * gradient / Math.Sqrt(squares[i] + SquaresFloor));
        }

        Updates++;
    }

    /// <summary>One gradient step on one message; <paramref name="direction"/> −1 takes a step back (forgetting).</summary>
    public void Step(ReadOnlySpan<uint> features, bool isSpam, double rate, double l2, int direction = 1)
    {
        // Gradient of the log loss: how far the current probability is from the label.
        var error = (isSpam ? 1.0 : 0.0) - Probability(features);
        var step = direction * rate * error;
        Bias += (float)step;
        foreach (var feature in features)
        {
            var i = feature & Mask;
            Weights[i] += (float)(step - (rate * l2 * Weights[i]));
        }

        Updates += direction;
    }
}
