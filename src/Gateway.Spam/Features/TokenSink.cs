namespace Gateway.Spam.Features;

/// <summary>Collects a message's features once each (presence, not frequency, is what the classifier counts).</summary>
internal sealed class TokenSink
{
    /// <summary>Features per message: a few thousand describe any real message; a hostile one cannot grow the set further.</summary>
    public const int MaxFeatures = 20_000;

    private readonly List<string>? _names;

    public TokenSink(bool keepNames = false) => _names = keepNames ? [] : null;

    public HashSet<uint> Features { get; } = [];

    /// <summary>The token strings, when kept for tests and diagnostics.</summary>
    public IReadOnlyList<string> Names => _names ?? [];

    public void Add(string prefix, ReadOnlySpan<char> value)
    {
        if (Features.Count >= MaxFeatures)
        {
            return;
        }

        var token = string.Concat(prefix, value);
        if (Features.Add(FeatureHasher.Hash(token)))
        {
            _names?.Add(token);
        }
    }

    public void Add(string token) => Add(token, []);
}
