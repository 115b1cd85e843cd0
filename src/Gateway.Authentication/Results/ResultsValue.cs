using System.Text;
using Gateway.Syntax;

namespace Gateway.Authentication.Results;

/// <summary>Writing and reading the value grammar of Authentication-Results (RFC 8601 2.2, RFC 2045 5.1).</summary>
internal static class ResultsValue
{
    /// <summary>RFC 2045 5.1 token: CHAR except SPACE, CTLs and tspecials; UTF-8 allowed (RFC 8601 2.2 via RFC 6532).</summary>
    public static bool IsTokenChar(int c) =>
        c > 0x20 && c != 0x7f
        && c is not ('(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=');

    public static bool IsToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 8601 2.2: method and result keywords are letters, digits, '-' and '_' (a "Keyword" in RFC 5321).
    public static bool IsKeyword(string value)
    {
        if (value.Length == 0 || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    // ptype "." property, each a keyword-like name ("smtp.mailfrom", "header.d", "policy.iprev").
    public static bool IsProperty(string value)
    {
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && IsKeyword(value[..dot]) && value[(dot + 1)..].Length > 0
            && value[(dot + 1)..].All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }

    /// <summary>
    /// A pvalue (RFC 8601 2.2): a token, or "local-part@domain" / "@domain" with a dot-atom local part written
    /// as is, else a quoted-string. Control characters (CR and LF included) are dropped first.
    /// </summary>
    public static string Format(string value)
    {
        var clean = StripControls(value);
        if (IsToken(clean))
        {
            return clean;
        }

        if (AddrSpec.TrySplit(clean, out var local, out var domain) && IsToken(domain)
            && (local.Length == 0 || DotAtom.IsDotAtom(local, allowUtf8: true)))
        {
            return clean;
        }

        return QuotedString.Quote(clean);
    }

    /// <summary>Always a quoted-string (RFC 5322 3.2.4), control characters dropped.</summary>
    public static string Quote(string value) => QuotedString.Quote(StripControls(value));

    private static string StripControls(string value)
    {
        var clean = true;
        foreach (var c in value)
        {
            clean &= c >= 0x20 && c != 0x7f;
        }

        if (clean)
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c >= 0x20 && c != 0x7f)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
