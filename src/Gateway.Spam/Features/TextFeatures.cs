using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Spam.Features;

/// <summary>
/// Word features of free text (body and subject): each word as written and lower-cased, and pairs of neighbouring
/// words. Case is kept as well as folded because shouting ("FREE", "Click HERE") is itself evidence.
/// </summary>
internal static class TextFeatures
{
    /// <summary>Words read per text; more adds little evidence and would let a long message cost more.</summary>
    private const int MaxWords = 3_000;

    private const int MinWordLength = 3;
    private const int MaxWordLength = 20;

    /// <summary>Punctuation trimmed off both ends of a word.</summary>
    private static readonly SearchValues<char> Punctuation = SearchValues.Create(".,;:\"'()[]{}<>*-_=|~`");

    public static void Add(string prefix, string text, TokenSink sink)
    {
        // Thousands of words per message: the folded, lower-cased and previous word live on the stack and tokens are
        // hashed in parts (TokenSink), so a word costs no string.
        var wordPrefix = new TokenPrefix(prefix, IsWord: true);
        var casePrefix = new TokenPrefix(prefix + "c:", IsWord: true);
        var pairPrefix = new TokenPrefix(prefix + "2:", IsWord: true);
        Span<char> folded = stackalloc char[MaxWordLength];
        Span<char> lower = stackalloc char[MaxWordLength];
        Span<char> previous = stackalloc char[MaxWordLength];
        Span<char> skip = stackalloc char[12];
        var previousLength = -1;
        var pairStart = 0u;
        var words = 0;
        foreach (var range in text.AsSpan().SplitAny(" \t\r\n\u00a0"))
        {
            var word = TrimPunctuation(text.AsSpan(range));
            if (word.Length == 0)
            {
                continue;
            }

            if (++words > MaxWords)
            {
                break;
            }

            if (word.Length < MinWordLength || word.Contains("://", StringComparison.Ordinal))
            {
                // Short words carry little and links are features of their own.
                previousLength = -1;
                continue;
            }

            if (word.Length > MaxWordLength)
            {
                // Long runs (encoded junk, hashes, URLs) are summarised by first character and length, as SpamBayes does.
                skip[0] = word[0];
                (word.Length / 10).TryFormat(skip[1..], out var digits, provider: CultureInfo.InvariantCulture);
                sink.Add(wordPrefix, "skip:", skip[..(1 + digits)]);
                previousLength = -1;
                continue;
            }

            // Digits folded ("$1,999" becomes "$#,###"): prices, phone numbers and reference numbers change with every
            // campaign, their shape does not.
            var asWritten = folded[..word.Length];
            for (var i = 0; i < word.Length; i++)
            {
                asWritten[i] = char.IsAsciiDigit(word[i]) ? '#' : word[i];
            }

            // Vectorised for the ASCII words that make up most text; the invariant culture's mapping for the rest.
            var lowered = lower[..word.Length];
            if (Ascii.ToLower(asWritten, lowered, out _) != OperationStatus.Done)
            {
                asWritten.ToLowerInvariant(lowered);
            }
            // The word, the pair it ends and the pair it starts, hashed in one pass (the ids are those of the whole tokens).
            var (wordHash, pairHash, nextPairStart) = (wordPrefix.Hash, pairStart, pairPrefix.Hash);
            FeatureHasher.Continue(ref wordHash, ref pairHash, ref nextPairStart, lowered);
            sink.AddHashed(wordHash, wordPrefix, lowered);
            if (!asWritten.SequenceEqual(lowered))
            {
                sink.Add(casePrefix, asWritten);
            }

            if (previousLength >= 0)
            {
                sink.AddHashed(pairHash, pairPrefix, previous[..previousLength], " ", lowered);
            }

            pairStart = FeatureHasher.Continue(nextPairStart, " ");
            lowered.CopyTo(previous);
            previousLength = lowered.Length;
        }
    }

    private static ReadOnlySpan<char> TrimPunctuation(ReadOnlySpan<char> word)
    {
        var start = word.IndexOfAnyExcept(Punctuation);
        return start < 0 ? [] : word[start..(word.LastIndexOfAnyExcept(Punctuation) + 1)];
    }
}
