using System.Globalization;
using System.Text;

namespace Gateway.Syntax;

/// <summary>
/// One label between its U-label and A-label forms (RFC 5890 2.3.2.1), on <see cref="IdnMapping"/>.
/// </summary>
/// <remarks>
/// <para>IDNA options: <see cref="IdnMapping.UseStd3AsciiRules"/> is on, so what comes out is an LDH label (RFC 5891
/// 4.2.3: underscores and other ASCII punctuation never enter through a U-label); <see cref="IdnMapping.AllowUnassigned"/>
/// is off, because an unassigned code point is not PVALID (RFC 5891 5.4) and could later be given a meaning.</para>
/// <para>The gateway runs with invariant globalization (no ICU), where IdnMapping applies Punycode (RFC 3492)
/// only: no UTS 46 mapping and no NFC. So what makes the result unique is done here: case is folded first, only
/// letters, marks, digits and inner hyphens are allowed (RFC 5892's PVALID classes, approximately), and the
/// combining diacritics that NFC would compose into a precomposed letter are refused, so "bu\u0308cher" cannot
/// become a second spelling of "bücher".</para>
/// </remarks>
internal static class IdnaLabel
{
    private const string AcePrefix = "xn--";

    /// <summary>True when the label carries the RFC 5890 2.3.1 ACE prefix, in any case.</summary>
    public static bool HasAcePrefix(ReadOnlySpan<char> label) => label.StartsWith(AcePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The lower-case A-label of a U-label, or why there is none.</summary>
    public static DomainNameError TryToALabel(ReadOnlySpan<char> label, out string aLabel)
    {
        aLabel = string.Empty;

        // Each code point adds at least one character to the A-label, so a longer label cannot fit in 63.
        if (label.Length > 2 * DomainName.MaxLabelLength)
        {
            return DomainNameError.TooLong;
        }

        var lower = label.ToString().ToLowerInvariant();
        if (!IsAllowedULabel(lower))
        {
            return DomainNameError.InvalidLabel;
        }

        string ascii;
        try
        {
            ascii = CreateMapping().GetAscii(lower);
        }
        catch (ArgumentException)
        {
            return DomainNameError.InvalidLabel;
        }

        if (ascii.Length > DomainName.MaxLabelLength)
        {
            return DomainNameError.TooLong;
        }

        if (!Ascii.IsValid(ascii) || !DomainName.IsLdhLabel(ascii))
        {
            return DomainNameError.InvalidLabel;
        }

        aLabel = ascii.ToLowerInvariant();
        return DomainNameError.None;
    }

    /// <summary>
    /// An "xn--" label must decode to an allowed U-label that encodes back to exactly this label (RFC 5891 5.4),
    /// or two spellings (e.g. the A-label of an upper-case U-label) could name one destination.
    /// </summary>
    /// <param name="aLabel">The label in lower case.</param>
    public static bool IsCanonicalALabel(string aLabel) =>
        TryToULabel(aLabel, out var unicode) && string.Equals(CreateMapping().GetAscii(unicode), aLabel, StringComparison.Ordinal);

    /// <summary>The U-label of an A-label; false when it does not decode to an allowed U-label.</summary>
    public static bool TryToULabel(string aLabel, out string uLabel)
    {
        uLabel = string.Empty;
        try
        {
            var unicode = CreateMapping().GetUnicode(aLabel);
            if (!IsAllowedULabel(unicode))
            {
                return false;
            }

            uLabel = unicode;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static IdnMapping CreateMapping() => new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    private static bool IsAllowedULabel(string label)
    {
        // RFC 5891 4.2.3.1: no hyphens in positions 3 and 4; 4.2.3.2: none at the start or the end.
        if (label.Length == 0 || label[0] == '-' || label[^1] == '-' || (label.Length >= 4 && label[2] == '-' && label[3] == '-'))
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
}
