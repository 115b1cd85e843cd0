using System.Buffers;
using System.Text;

namespace Gateway.Syntax;

/// <summary>
/// Domain names in the one form every comparison in the gateway uses: lower-case ASCII, U-labels converted to
/// A-labels (RFC 5890 2.3.2.1, so "bücher.example" and "xn--bcher-kva.example" are one name), no trailing dot.
/// </summary>
/// <remarks>
/// <para>Length: RFC 1035 2.3.4 allows 63 octets per label and 255 octets per name on the wire, where each
/// label carries a length octet and the root a zero octet; in text form without the trailing dot that is at
/// most 253 characters. RFC 5321 4.5.3.1.2 states 255 octets for a domain, but a name DNS cannot carry cannot
/// be delivered to, so 253 is the single limit for SMTP paths, policy, DKIM, SPF and DMARC names alike.</para>
/// <para>Labels: RFC 5321 4.1.2 sub-domain = Let-dig [Ldh-str], i.e. ASCII letters, digits and hyphens, not
/// starting or ending with a hyphen; '_' only with <see cref="DomainNameOptions.AllowUnderscore"/>. An "xn--"
/// label must be a valid A-label. The top-level label of a complete name is never all-numeric (RFC 1123 2.1: a
/// dotted quad is an address).</para>
/// </remarks>
public static class DomainName
{
    /// <summary>RFC 1035 2.3.4: 255 octets on the wire are 253 characters in text form without the root dot.</summary>
    public const int MaxLength = 253;

    /// <summary>RFC 1035 2.3.4: 63 octets per label.</summary>
    public const int MaxLabelLength = 63;

    private static readonly SearchValues<char> LdhCharacters =
        SearchValues.Create("-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly SearchValues<char> LdhUnderscoreCharacters =
        SearchValues.Create("-_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>Validates <paramref name="text"/> and returns its canonical form, or says why it is not a name.</summary>
    public static DomainNameError TryCanonicalize(ReadOnlySpan<char> text, DomainNameOptions options, out string canonical)
    {
        canonical = string.Empty;
        if (!text.IsEmpty && text[^1] == '.')
        {
            if ((options & DomainNameOptions.AllowTrailingDot) == 0)
            {
                return text.Length == 1 ? DomainNameError.Empty : DomainNameError.TrailingDot;
            }

            text = text[..^1];
        }

        if (text.IsEmpty)
        {
            return DomainNameError.Empty;
        }

        var ascii = Ascii.IsValid(text);
        if (!ascii && (options & DomainNameOptions.AllowUnicode) == 0)
        {
            return DomainNameError.NonAscii;
        }

        // An A-label is never shorter than half its U-label, so longer text cannot fit: bounds the IDNA work.
        if (text.Length > (ascii ? MaxLength : 2 * MaxLength))
        {
            return DomainNameError.TooLong;
        }

        var converted = ascii ? null : new StringBuilder(MaxLength);
        var labels = 0;
        var rest = text;
        while (true)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            var error = CheckLabel(label, options, converted);
            if (error != DomainNameError.None)
            {
                return error;
            }

            labels++;
            if (dot < 0)
            {
                break;
            }

            converted?.Append('.');
            rest = rest[(dot + 1)..];
        }

        string name;
        if (converted is null)
        {
            Span<char> lower = stackalloc char[MaxLength];
            Ascii.ToLower(text, lower, out var written);
            name = new string(lower[..written]);
        }
        else
        {
            name = converted.ToString();
        }

        if (name.Length > MaxLength)
        {
            return DomainNameError.TooLong;
        }

        // The last label as written: a converted U-label is never all-numeric.
        if ((options & DomainNameOptions.Relative) == 0 && !rest.ContainsAnyExceptInRange('0', '9'))
        {
            return DomainNameError.NumericTopLevelLabel;
        }

        if ((options & DomainNameOptions.RequireMultipleLabels) != 0 && labels < 2)
        {
            return DomainNameError.SingleLabel;
        }

        canonical = name;
        return DomainNameError.None;
    }

    /// <summary>True when <paramref name="text"/> is a domain name under <paramref name="options"/>.</summary>
    public static bool IsValid(ReadOnlySpan<char> text, DomainNameOptions options = DomainNameOptions.None) =>
        TryCanonicalize(text, options, out _) == DomainNameError.None;

    /// <summary>
    /// The form in which a name that is compared rather than validated (a DNS answer, a configured host) is
    /// compared: blanks around it and trailing root dots dropped, lower case (RFC 4343: DNS names compare
    /// case-insensitively). The root itself comes out empty.
    /// </summary>
    public static string ComparisonForm(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>
    /// True when <paramref name="name"/> is <paramref name="domain"/> or a name below it, compared
    /// case-insensitively on label boundaries: "mail.example.com" is below "example.com", "ample.com" is not.
    /// Both in text form without the trailing dot; an empty domain (the root) matches nothing.
    /// </summary>
    public static bool IsSameOrSubdomain(ReadOnlySpan<char> name, ReadOnlySpan<char> domain) =>
        !domain.IsEmpty
        && name.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
        && (name.Length == domain.Length || name[name.Length - domain.Length - 1] == '.');

    /// <summary>
    /// True when a DNS query can carry the name: labels of 1-63 characters and at most 253 in all, one trailing
    /// root dot allowed (RFC 1035 2.3.4). Only lengths are checked: DNS itself carries any octet in a label
    /// (RFC 2181 11), so this is the test for names that are looked up rather than validated as host names.
    /// </summary>
    public static bool FitsInDns(ReadOnlySpan<char> name)
    {
        if (!name.IsEmpty && name[^1] == '.')
        {
            name = name[..^1];
        }

        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var range in name.Split('.'))
        {
            if (range.End.Value - range.Start.Value is 0 or > MaxLabelLength)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 5321 4.1.2 sub-domain = Let-dig [Ldh-str]: ASCII letters, digits and inner hyphens.</summary>
    public static bool IsLdhLabel(ReadOnlySpan<char> label) => IsLabel(label, LdhCharacters);

    /// <summary>
    /// The name with each A-label shown as its U-label, for people to read ("xn--bcher-kva.example" is
    /// "bücher.example"); false when an "xn--" label does not decode to a valid U-label.
    /// </summary>
    public static bool TryGetUnicode(string canonical, out string unicode)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        unicode = string.Empty;
        var labels = canonical.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            if (IdnaLabel.HasAcePrefix(labels[i]) && !IdnaLabel.TryToULabel(labels[i].ToLowerInvariant(), out labels[i]))
            {
                return false;
            }
        }

        unicode = string.Join('.', labels);
        return true;
    }

    /// <summary>
    /// Checks one label; with <paramref name="converted"/> (a name holding U-labels) appends its canonical
    /// ASCII form there.
    /// </summary>
    private static DomainNameError CheckLabel(ReadOnlySpan<char> label, DomainNameOptions options, StringBuilder? converted)
    {
        if (!Ascii.IsValid(label))
        {
            var error = IdnaLabel.TryToALabel(label, out var aLabel);
            converted?.Append(aLabel);
            return error;
        }

        if (label.Length > MaxLabelLength)
        {
            return DomainNameError.TooLong;
        }

        var characters = (options & DomainNameOptions.AllowUnderscore) != 0 ? LdhUnderscoreCharacters : LdhCharacters;
        if (!IsLabel(label, characters))
        {
            return DomainNameError.InvalidLabel;
        }

        if (IdnaLabel.HasAcePrefix(label) && !IdnaLabel.IsCanonicalALabel(label.ToString().ToLowerInvariant()))
        {
            return DomainNameError.InvalidLabel;
        }

        if (converted is not null)
        {
            foreach (var c in label)
            {
                converted.Append(char.ToLowerInvariant(c));
            }
        }

        return DomainNameError.None;
    }

    private static bool IsLabel(ReadOnlySpan<char> label, SearchValues<char> characters) =>
        !label.IsEmpty && label[0] != '-' && label[^1] != '-' && !label.ContainsAnyExcept(characters);
}
