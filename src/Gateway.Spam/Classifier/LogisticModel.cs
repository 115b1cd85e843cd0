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
