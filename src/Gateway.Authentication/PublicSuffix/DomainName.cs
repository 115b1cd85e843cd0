using System.Globalization;

namespace Gateway.Authentication.PublicSuffix;

/// <summary>
/// Turns a domain as found in a header, a signature or a DNS record into the one form every comparison in this
/// library uses: A-labels (RFC 5890 2.3.2.1, so "bücher.example" and "xn--bcher-kva.example" are the same name),
/// lowercase, no trailing dot.
/// </summary>
internal static class DomainName
{
    // RFC 1035 2.3.4: 63 octets per label, 255 per name on the wire, which is 253 characters in text form.
    private const int MaxLabelLength = 63;
    private const int MaxNameLength = 253;

    /// <summary>
    /// Normalizes <paramref name="domain"/>, or returns false when it is not a usable DNS name: empty labels,
    /// labels or name too long, characters other than letters, digits, '-' and '_', an IDN that fails IDNA
    /// conversion, or an all-numeric last label (an IPv4 address is not a domain).
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> domain, out string normalized)
    {
        normalized = string.Empty;
        if (domain.Length > 0 && domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        if (domain.IsEmpty || domain.Length > 1024)
        {
            return false;
        }

        string candidate;
        if (System.Text.Ascii.IsValid(domain))
        {
            candidate = string.Create(domain.Length, domain, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.ToLowerInvariant(source[i]);
                }
            });
        }
        else
        {
            try
            {
                // UseStd3AsciiRules off: underscores occur in real names (RFC 8552); the label check below
                // still limits the result to letters, digits, '-' and '_'. Lowercased first: the invariant-mode
                // IDNA mapping does not case-fold U-labels ("BÜCHER" and "bücher" must be the same name).
                candidate = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false }
                    .GetAscii(domain.ToString().ToLowerInvariant()).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        if (!IsValidAsciiName(candidate))
        {
            return false;
        }

        normalized = candidate;
        return true;
    }

    private static bool IsValidAsciiName(string name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return false;
        }

        var labelLength = 0;
        var lastLabelAllDigits = true;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
                lastLabelAllDigits = true;
                continue;
            }

            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }

            lastLabelAllDigits &= char.IsAsciiDigit(c);
            if (++labelLength > MaxLabelLength)
            {
                return false;
            }
        }

        return labelLength > 0 && !lastLabelAllDigits;
    }
}
