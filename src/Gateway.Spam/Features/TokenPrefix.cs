namespace Gateway.Spam.Features;

/// <summary>
/// A token prefix with its hash worked out once, for the loops that add thousands of tokens under it; <see cref="IsWord"/>
/// marks the tokens under it as words of the text (<see cref="FeatureKind"/>).
/// </summary>
internal readonly record struct TokenPrefix(string Text, bool IsWord = false)
{
    public uint Hash { get; } = FeatureHasher.Hash(Text);
}
