using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Smtp.Protocol;

/// <summary>Domain and address-literal canonicalisation for <see cref="PathParser"/>.</summary>
internal static class DomainName
{
    private const string IPv6Tag = "IPv6:";

    private static readonly SearchValues<char> IPv6Characters = SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// RFC 5321 4.1.2 Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]. Returns the canonical
    /// form: ASCII lower case, U-labels converted to A-labels (RFC 5890; only when <paramref name="allowUtf8"/>).
    /// </summary>
    public static AddressError TryCanonicalize(ReadOnlySpan<char> text, bool allowUtf8, out string? domain)
    {
        domain = null;
        if (text.IsEmpty)
        {
            return AddressError.Syntax;
        }

        if (!allowUtf8 && !Ascii.IsValid(text))
        {
            return AddressError.NonAscii;
        }

        var labels = text.ToString().Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var error = CanonicalizeLabel(ref labels[i]);
            if (error != AddressError.None)
            {
                return error;
            }
        }

        var ascii = string.Join('.', labels);
        if (ascii.Length > SmtpDefaults.DomainLength)
        {
            return AddressError.TooLong;
        }

        // RFC 1123 2.1: a dotted quad is not a host name; an all-numeric top-level label never names a domain.
        if (!labels[^1].AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return AddressError.Syntax;
        }

        domain = ascii;
        return AddressError.None;
    }

    /// <summary>
    /// RFC 5321 4.1.3 address literals: "[" IPv4 "]" or "[IPv6:" IPv6 "]", canonicalised ("[IPv6:2001:db8::1]").
    /// A General-address-literal ("[tag:content]") is refused: no standardized tag besides IPv6 exists and
    /// nothing could route to it.
    /// </summary>
    public static AddressError TryCanonicalizeLiteral(ReadOnlySpan<char> text, out string? literal)
    {
        literal = null;
        if (text.Length < 3 || text[0] != '[' || text[^1] != ']')
        {
            return AddressError.Syntax;
        }

        var inner = text[1..^1];
        var colon = inner.IndexOf(':');
        if (colon < 0)
        {
            if (!IPv4Literal.TryParse(inner, out var v4))
            {
                return AddressError.Syntax;
            }

            literal = $"[{v4}]";
            return AddressError.None;
        }

        // RFC 5321 4.1.3: Standardized-tag "IPv6" (ABNF strings are case-insensitive, RFC 5234 2.3).
        if (colon != IPv6Tag.Length - 1 || !inner[..(colon + 1)].Equals(IPv6Tag, StringComparison.OrdinalIgnoreCase))
        {
            return AddressError.Syntax;
        }

        var v6Text = inner[(colon + 1)..];
        if (v6Text.IsEmpty || v6Text.ContainsAnyExcept(IPv6Characters))
        {
            // Refuses zone ids ("%eth0"), brackets and anything IPAddress.TryParse would otherwise tolerate.
            return AddressError.Syntax;
        }

        if (!IPAddress.TryParse(v6Text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressError.Syntax;
        }

        literal = $"[{IPv6Tag}{v6}]";
        return AddressError.None;
    }

    /// <summary>Turns one label into its canonical lower-case ASCII form, or says why it cannot be.</summary>
    private static AddressError CanonicalizeLabel(ref string label)
    {
        // An empty label covers the leading dot, "a..b" and the trailing root dot: RFC 5321 Domain has no
        // root dot, and refusing it means one destination has one spelling only.
        if (label.Length == 0)
        {
            return AddressError.Syntax;
        }

        if (!Ascii.IsValid(label))
        {
            return ToALabel(ref label);
        }

        if (label.Length > SmtpDefaults.DomainLabelLength)
        {
            return AddressError.TooLong;
        }

        if (!IsLdhLabel(label))
        {
            return AddressError.Syntax;
        }

        label = label.ToLowerInvariant();
        return label.StartsWith("xn--", StringComparison.Ordinal) && !IsCanonicalALabel(label)
            ? AddressError.Syntax
            : AddressError.None;
    }

    /// <summary>RFC 5321 4.1.2 sub-domain: Let-dig [Ldh-str], i.e. letters, digits, inner hyphens.</summary>
    private static bool IsLdhLabel(string label)
    {
        if (!char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// U-label to A-label. The process runs with invariant globalization (no ICU), where IdnMapping only
    /// applies Punycode (RFC 3492): no UTS 46 mapping, no NFC. So the checks that make the result unique are
    /// done here: case is folded first, only letters, marks, digits and inner hyphens are allowed (RFC 5892's
    /// PVALID classes, approximately), and the generic combining diacritics that NFC would compose into a
    /// precomposed letter are refused, so "bu\u0308cher" cannot become a second spelling of "bücher".
    /// </summary>
    private static AddressError ToALabel(ref string label)
    {
        var lower = label.ToLowerInvariant();
        if (!IsAllowedULabel(lower))
        {
            return AddressError.Syntax;
        }

        string ascii;
        try
        {
            ascii = CreateMapping().GetAscii(lower);
        }
        catch (ArgumentException)
        {
            return AddressError.Syntax;
        }

        if (ascii.Length > SmtpDefaults.DomainLabelLength)
        {
            return AddressError.TooLong;
        }

        if (!Ascii.IsValid(ascii) || !IsLdhLabel(ascii))
        {
            return AddressError.Syntax;
        }

        label = ascii.ToLowerInvariant();
        return AddressError.None;
    }

    private static bool IsAllowedULabel(string label)
    {
        // RFC 5891 4.2.3.1: no hyphens in positions 3 and 4; 4.2.3.2: none at the start or the end.
        if (label[0] == '-' || label[^1] == '-' || (label.Length >= 4 && label[2] == '-' && label[3] == '-'))
        {
            return false;
        }

        var first = true;
        foreach (var rune in label.EnumerateRunes())
        {
            if (!IsAllowedRune(rune, first))
            {
                return false;
            }

            first = false;
        }

        return true;
    }

    private static bool IsAllowedRune(Rune rune, bool first)
    {
        if (rune.IsAscii)
        {
            return char.IsAsciiLetterLower((char)rune.Value) || char.IsAsciiDigit((char)rune.Value) || rune.Value == '-';
        }

        // Generic combining diacritics (NFC would compose them), and compatibility letters that UTS 46 would map
        // to other letters (full-width forms, mathematical alphanumerics): IDNA2008 (RFC 5892) disallows both.
        if (rune.Value is (>= 0x0300 and <= 0x036F) or (>= 0x1AB0 and <= 0x1AFF) or (>= 0x1DC0 and <= 0x1DFF)
            or (>= 0x20D0 and <= 0x20FF) or (>= 0xFE20 and <= 0xFE2F) or (>= 0xFF00 and <= 0xFFEF)
            or (>= 0x1D400 and <= 0x1D7FF))
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter
                or UnicodeCategory.DecimalDigitNumber => true,

            // RFC 5891 4.2.3.2: a label must not begin with a combining mark.
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => !first,
            _ => false,
        };
    }

    private static IdnMapping CreateMapping() => new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>
    /// An "xn--" label must decode to an allowed U-label that encodes back to exactly this label (RFC 5891 5.4),
    /// or two spellings (e.g. an A-label of an upper-case U-label) could name one destination.
    /// </summary>
    private static bool IsCanonicalALabel(string label)
    {
        try
        {
            var unicode = CreateMapping().GetUnicode(label);
            return IsAllowedULabel(unicode)
                && string.Equals(CreateMapping().GetAscii(unicode), label, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
