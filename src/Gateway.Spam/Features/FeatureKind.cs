namespace Gateway.Spam.Features;

/// <summary>
/// Whether a feature id is a word of the text (a subject or body word, its case, a word pair) or something else: how
/// the message was built, sent and linked. The kind is the id's top bit, so a model can tell the two apart from the id
/// alone: the classifier's second logistic model weighs only what is not a word (SpamModel.Structure), because how a
/// message is made changes more slowly from one campaign to the next than what it says.
/// </summary>
internal static class FeatureKind
{
    private const uint WordBit = 0x8000_0000;

    public static uint Word(uint hash) => hash | WordBit;

    public static uint Other(uint hash) => hash & ~WordBit;

    public static bool IsWord(uint feature) => (feature & WordBit) != 0;
}
