using Gateway.Spam.Features;

namespace Gateway.Spam.Scoring;

/// <summary>
/// The working space of one classification: the feature set and the classifier's clue list. Both grow to a few
/// thousand entries per message; reused (<see cref="BoundedPool{T}"/>) they stop being garbage made per message.
/// </summary>
internal sealed class ScoringScratch
{
    /// <summary>
    /// Features of an ordinary message fit several times over; a set grown larger by an odd message is left to the
    /// collector rather than kept at that size.
    /// </summary>
    internal const int MaxKeptFeatures = 8_192;

    public TokenSink Sink { get; } = new();

    public List<double> Clues { get; } = [];

    /// <summary>Empties the scratch for the next message; false when it grew too large to be worth keeping.</summary>
    public bool TryReset()
    {
        if (Sink.Features.Count > MaxKeptFeatures)
        {
            return false;
        }

        Sink.Reset();
        Clues.Clear();
        return true;
    }
}
