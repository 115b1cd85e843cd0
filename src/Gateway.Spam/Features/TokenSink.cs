namespace Gateway.Spam.Features;

/// <summary>Collects a message's features once each (presence, not frequency, is what the classifier counts).</summary>
internal sealed class TokenSink
{
    /// <summary>Features per message: a few thousand describe any real message; a hostile one cannot grow the set further.</summary>
    public const int MaxFeatures = 20_000;

    private readonly List<string>? _names;

    public TokenSink(bool keepNames = false) => _names = keepNames ? [] : null;

    public FeatureSet Features { get; } = new();

    /// <summary>The token strings, when kept for tests and diagnostics.</summary>
    public IReadOnlyList<string> Names => _names ?? [];

    public void Add(string prefix, ReadOnlySpan<char> value) => Add(prefix, value, [], []);

    /// <summary>
    /// The token <paramref name="prefix"/> + <paramref name="first"/> + <paramref name="second"/> + <paramref name="third"/>,
    /// hashed part by part: a message has thousands of tokens, and the strings are only made when names are kept.
    /// </summary>
    public void Add(string prefix, ReadOnlySpan<char> first, ReadOnlySpan<char> second, ReadOnlySpan<char> third) =>
        Add(prefix, FeatureHasher.Hash(prefix), isWord: false, first, second, third);

    /// <summary>As <see cref="Add(string, ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char})"/>, the prefix hashed once by the caller.</summary>
    public void Add(TokenPrefix prefix, ReadOnlySpan<char> first, ReadOnlySpan<char> second = default, ReadOnlySpan<char> third = default) =>
        Add(prefix.Text, prefix.Hash, prefix.IsWord, first, second, third);

    /// <summary>
    /// The token <paramref name="prefix"/> + <paramref name="first"/> + <paramref name="second"/> + <paramref name="third"/>
    /// whose hash <paramref name="hash"/> the caller worked out (<see cref="FeatureHasher"/>); the parts only name it.
    /// </summary>
    public void AddHashed(uint hash, TokenPrefix prefix, ReadOnlySpan<char> first, ReadOnlySpan<char> second = default, ReadOnlySpan<char> third = default)
    {
        if (Features.Count < MaxFeatures && Features.Add(Id(hash, prefix.IsWord)))
        {
            _names?.Add(string.Concat(prefix.Text, first, second, third));
        }
    }

    /// <summary>The feature id of a token's hash: the hash with its kind in the top bit (<see cref="FeatureKind"/>).</summary>
    public static uint Id(uint hash, bool isWord) => isWord ? FeatureKind.Word(hash) : FeatureKind.Other(hash);

    private void Add(string prefix, uint prefixHash, bool isWord, ReadOnlySpan<char> first, ReadOnlySpan<char> second, ReadOnlySpan<char> third)
    {
        if (Features.Count >= MaxFeatures)
        {
            return;
        }

        var hash = FeatureHasher.Continue(FeatureHasher.Continue(FeatureHasher.Continue(prefixHash, first), second), third);
        if (Features.Add(Id(hash, isWord)))
        {
            _names?.Add(string.Concat(prefix, first, second, third));
        }
    }

    public void Add(string token) => Add(token, []);

    /// <summary>Empties the sink for the next message; the set keeps its storage, so a reused sink allocates nothing.</summary>
    public void Reset()
    {
        Features.Clear();
        _names?.Clear();
    }
}
