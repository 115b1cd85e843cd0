using System.Text;

namespace Gateway.Syntax;

/// <summary>Quoted strings as RFC 5321 4.1.2 (Quoted-string) and RFC 5322 3.2.4 (quoted-string) write them.</summary>
public static class QuotedString
{
    /// <summary>
    /// <paramref name="content"/> between double quotes, with '"' and '\' escaped as quoted-pairs (the only two
    /// characters qtext and qtextSMTP leave out besides controls).
    /// </summary>
    public static string Quote(ReadOnlySpan<char> content)
    {
        var text = new StringBuilder(content.Length + 2).Append('"');
        foreach (var c in content)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// Reads an RFC 5321 4.1.2 Quoted-string at the start of <paramref name="text"/>: DQUOTE *QcontentSMTP DQUOTE;
    /// qtextSMTP = %d32-33 / %d35-91 / %d93-126 (plus UTF8-non-ascii with SMTPUTF8, RFC 6531 3.3);
    /// quoted-pairSMTP = "\" %d32-126.
    /// </summary>
    /// <param name="text">Text starting with the opening quote.</param>
    /// <param name="allowUtf8">SMTPUTF8 is in effect.</param>
    /// <param name="value">The content with the quoted-pairs resolved.</param>
    /// <param name="consumed">Characters read, both quotes included.</param>
    public static bool TryReadSmtp(ReadOnlySpan<char> text, bool allowUtf8, out string value, out int consumed)
    {
        value = string.Empty;
        consumed = 0;
        if (text.IsEmpty || text[0] != '"')
        {
            return false;
        }

        var content = new StringBuilder(text.Length);
        var i = 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                value = content.ToString();
                consumed = i + 1;
                return true;
            }

            if (c == '\\')
            {
                if (i + 1 >= text.Length || text[i + 1] is < (char)32 or > (char)126)
                {
                    return false;
                }

                content.Append(text[i + 1]);
                i += 2;
                continue;
            }

            if (!(c is >= (char)32 and <= (char)126 || (allowUtf8 && c > (char)127)))
            {
                return false;
            }

            content.Append(c);
            i++;
        }

        return false;
    }
}
