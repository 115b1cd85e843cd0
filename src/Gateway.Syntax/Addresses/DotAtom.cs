using System.Buffers;

namespace Gateway.Syntax;

/// <summary>
/// RFC 5322 3.2.3 atext, atom and dot-atom-text (RFC 5321 4.1.2 Atom and Dot-string are the same grammar), with
/// the UTF-8 extension of RFC 6531 3.3 / RFC 6532 3.2 (any non-ASCII character is atext) where the caller allows it.
/// </summary>
public static class DotAtom
{
    private static readonly SearchValues<char> AsciiAtext =
        SearchValues.Create("!#$%&'*+-/=?^_`{|}~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>atext = ALPHA / DIGIT / "!#$%&amp;'*+-/=?^_`{|}~"; with <paramref name="allowUtf8"/> also UTF8-non-ascii.</summary>
    public static bool IsAtext(char c, bool allowUtf8) => c > (char)0x7F ? allowUtf8 : AsciiAtext.Contains(c);

    /// <summary>atom = 1*atext (without the surrounding CFWS).</summary>
    public static bool IsAtom(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsAtext(c, allowUtf8))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>dot-atom-text = 1*atext *("." 1*atext): no leading, trailing or doubled dot.</summary>
    public static bool IsDotAtom(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var range in text.Split('.'))
        {
            if (!IsAtom(text[range], allowUtf8))
            {
                return false;
            }
        }

        return true;
    }
}
