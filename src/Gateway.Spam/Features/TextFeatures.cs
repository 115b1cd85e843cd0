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

    private static readonly char[] Trim = ['.', ',', ';', ':', '"', '\'', '(', ')', '[', ']', '{', '}', '<', '>', '*', '-', '_', '=', '|', '~', '`'];

    public static void Add(string prefix, string text, TokenSink sink)
    {
        var previous = (string?)null;
        var words = 0;
        foreach (var range in text.AsSpan().SplitAny(" \t\r\n\u00a0"))
        {
            var word = text.AsSpan(range).Trim(Trim);
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
                previous = null;
                continue;
            }

            if (word.Length > MaxWordLength)
            {
                // Long runs (encoded junk, hashes, URLs) are summarised by first character and length, as SpamBayes does.
                sink.Add(prefix, $"skip:{word[0]}{word.Length / 10}");
                previous = null;
                continue;
            }

            // Digits folded ("$1,999" becomes "$#,###"): prices, phone numbers and reference numbers change with every
            // campaign, their shape does not.
            var folded = word.ContainsAnyInRange('0', '9') ? HeaderFeatures.FoldDigits(word) : word.ToString();
            var lower = folded.ToLowerInvariant();
            sink.Add(prefix, lower);
            if (!folded.Equals(lower, StringComparison.Ordinal))
            {
                sink.Add(prefix + "c:", folded);
            }

            if (previous is not null)
            {
                sink.Add(prefix + "2:", string.Concat(previous, " ", lower));
            }

            previous = lower;
        }
    }
}
