namespace Gateway.Spam.Features;

/// <summary>A token prefix with its hash worked out once, for the loops that add thousands of tokens under it.</summary>
internal readonly record struct TokenPrefix(string Text)
{
    public uint Hash { get; } = FeatureHasher.Hash(Text);
}
