using System.Globalization;

namespace Gateway.Spam.Scanning;

/// <summary>
/// Numeric character references ("&amp;#86;", "&amp;#x56;") in HTML text that stand for ASCII letters and digits. An
/// editor writes a reference for a character the charset lacks, never for a plain letter: letters written this way
/// are spelled so that a filter reading the source does not see the word.
/// </summary>
internal static class CharacterReferences
{
    /// <summary>Digits read per reference; more is not a character.</summary>
    private const int MaxDigits = 8;

    public static int CountLetters(ReadOnlySpan<char> text)
    {
        var count = 0;
        var at = text.IndexOf("&#", StringComparison.Ordinal);
        while (at >= 0)
        {
            text = text[(at + 2)..];
            var hex = text.Length > 0 && (text[0] is 'x' or 'X');
            var digits = hex ? text[1..] : text;
            var end = 0;
            while (end < digits.Length && end < MaxDigits && (hex ? char.IsAsciiHexDigit(digits[end]) : char.IsAsciiDigit(digits[end])))
            {
                end++;
            }

            if (end > 0 && int.TryParse(digits[..end], hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                && code < 128 && char.IsAsciiLetterOrDigit((char)code))
            {
                count++;
            }

            at = text.IndexOf("&#", StringComparison.Ordinal);
        }

        return count;
    }
}
