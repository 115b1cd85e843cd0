using System.Buffers;

namespace Gateway.Spam.Features;

/// <summary>
/// How the text is written rather than what it says: the share of capitals, exclamation marks, money amounts and
/// percentages, and whether it ends by telling the reader how to get off a list. Sales pitches share these habits
/// whatever they sell; a word list has to be relearned for every campaign.
/// </summary>
internal static class StyleFeatures
{
    /// <summary>Characters read: enough for the style of any message, and a bound on the cost of a long one.</summary>
    private const int MaxChars = 20_000;

    /// <summary>The closing part of a message, where bulk mail puts its removal instructions.</summary>
    private const int Tail = 800;

    /// <summary>Searched in one vectorised pass rather than once per word.</summary>
    private static readonly SearchValues<string> RemovalWords =
        SearchValues.Create(["unsubscribe", "remove", "opt-out", "opt out"], StringComparison.OrdinalIgnoreCase);

    public static void Add(string text, TokenSink sink)
    {
        var body = text.AsSpan(0, Math.Min(text.Length, MaxChars));
        int letters = 0, capitals = 0, exclamations = 0, money = 0, percents = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (char.IsAsciiLetter(c))
            {
                // Most text is ASCII: the inlined range checks, before the general Unicode tables.
                letters++;
                capitals += char.IsAsciiLetterUpper(c) ? 1 : 0;
            }
            else if (c >= '\u0080' && char.IsLetter(c))
            {
                letters++;
                capitals += char.IsUpper(c) ? 1 : 0;
            }
            else if (c == '!')
            {
                exclamations++;
            }
            else if (c is '$' or '£' or '€' && i + 1 < body.Length && char.IsAsciiDigit(body[i + 1]))
            {
                money++;
            }
            else if (c == '%' && i > 0 && char.IsAsciiDigit(body[i - 1]))
            {
                percents++;
            }
        }

        if (letters >= 40)
        {
            sink.Add("sy:caps:", (capitals * 100 / letters) switch
            {
                < 5 => "<5",
                < 10 => "5-9",
                < 20 => "10-19",
                < 40 => "20-39",
                _ => "40+",
            });
        }

        sink.Add("sy:excl:", HeaderFeatures.Bucket(exclamations));
        sink.Add("sy:money:", HeaderFeatures.Bucket(money));
        sink.Add("sy:percent:", HeaderFeatures.Bucket(percents));

        var tail = body[Math.Max(0, body.Length - Tail)..];
        if (tail.ContainsAny(RemovalWords))
        {
            sink.Add("sy:removal-at-end");
        }
    }

    /// <summary>The subject's own habits: shouting punctuation, money, and padding before a tracking tail.</summary>
    public static void AddSubject(string subject, TokenSink sink)
    {
        var s = subject.AsSpan();
        if (s.Contains('!'))
        {
            sink.Add("sy:s:excl");
        }

        if (s.ContainsAny("$£€"))
        {
            sink.Add("sy:s:money");
        }

        // Runs of spaces push a per-recipient id out of sight in the mail client's list.
        if (s.TrimEnd().Contains("   ", StringComparison.Ordinal))
        {
            sink.Add("sy:s:padded");
        }
    }
}
