using System.Globalization;

namespace Gateway.Policy.Validation;

/// <summary>
/// Validates domain names and brings them to the canonical form <see cref="Gateway.Abstractions.Mailbox"/>
/// uses: lower-case ASCII with IDN U-labels converted to A-labels (RFC 5890), no trailing dot.
/// </summary>
internal static class DomainNameParser
{
    /// <summary>Returns null on success with the canonical name, else why the name is invalid.</summary>
    public static string? TryCanonicalize(string text, bool requireFullyQualified, out string canonical)
    {
        canonical = string.Empty;
        if (text.Length == 0)
        {
            return "domain name is empty";
        }

        if (text.EndsWith('.'))
        {
            // RFC 5321 4.1.2: Domain has no root dot; one spelling per destination.
            return $"'{Echo.Of(text)}': write domain names without a trailing dot";
        }

        // RFC 5321 4.5.3.1.2: 255 octets; RFC 1035 2.3.4: 253 characters in text form without the root dot.
        if (text.Length > 253)
        {
            return $"'{Echo.Of(text)}' is longer than 253 characters";
        }

        string ascii;
        try
        {
            // Case-fold first: with InvariantGlobalization IdnMapping does not apply the UTS #46 mapping to
            // non-ASCII letters, so "BÜCHER" and "bücher" would become different A-labels. Normalize is a
            // no-op in that mode too, so U-labels must already be NFC (what editors produce).
            text = text.Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();

            // RFC 5890/5891 via UTS #46; UseStd3AsciiRules restricts labels to letters, digits and hyphens.
            var idn = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
            ascii = idn.GetAscii(text);
        }
        catch (ArgumentException)
        {
            return $"'{Echo.Of(text)}' is not a valid domain name";
        }

        ascii = ascii.ToLowerInvariant();
        if (ascii.Length > 253)
        {
            return $"'{Echo.Of(text)}' is longer than 253 characters";
        }

        var labels = ascii.Split('.');
        foreach (var label in labels)
        {
            // RFC 1035 2.3.1 / RFC 5321 4.1.2 Ldh-str: letters, digits, hyphens; not starting or ending with '-'.
            if (label.Length is 0 or > 63
                || label[0] == '-'
                || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return $"'{Echo.Of(text)}' is not a valid domain name (label '{label}')";
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            // RFC 1123 2.1: a dotted quad is not a host name; a top-level label is never all-numeric.
            return $"'{Echo.Of(text)}' is not a domain name (numeric top-level label)";
        }

        if (requireFullyQualified && labels.Length < 2)
        {
            return $"'{Echo.Of(text)}' is not a fully qualified domain name";
        }

        canonical = ascii;
        return null;
    }
}
