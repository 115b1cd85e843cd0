using System.Globalization;
using Gateway.Authentication.PublicSuffix;
using Gateway.Syntax;

namespace Gateway.Authentication.Dmarc;

/// <summary>
/// One reporting URI of a rua= or ruf= tag (RFC 7489 6.2 and 6.4: <c>URI [ "!" size ]</c>).
/// </summary>
/// <param name="Uri">The URI as published (without the size suffix).</param>
/// <param name="Scheme">The scheme in lowercase ("mailto", "https"...).</param>
/// <param name="MaxSize">The size limit in bytes, when the URI had one ("!10m").</param>
/// <param name="MailboxAddress">For mailto: the decoded address; null for other schemes.</param>
/// <param name="MailboxDomain">For mailto: the address's domain, normalized.</param>
public sealed record DmarcReportUri(string Uri, string Scheme, long? MaxSize, string? MailboxAddress, string? MailboxDomain)
{
    private static readonly System.Buffers.SearchValues<char> NotInAddress = System.Buffers.SearchValues.Create(" \t\r\n<>\"\0,");

    /// <summary>True for a mailto: URI with a usable address: the only kind this gateway sends reports to.</summary>
    public bool IsMailto => MailboxAddress is not null;

    /// <summary>
    /// Parses one dmarc-uri. Returns false for text that is not an absolute URI, a malformed size, or a mailto:
    /// URI without a valid address (RFC 6068: the address is percent-decoded; hfields after '?' are ignored).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DmarcReportUri? uri)
    {
        uri = null;
        text = text.Trim(" \t");
        if (text.IsEmpty)
        {
            return false;
        }

        long? maxSize = null;
        var bang = text.LastIndexOf('!');
        if (bang >= 0)
        {
            if (!TryParseSize(text[(bang + 1)..], out var size))
            {
                return false;
            }

            maxSize = size;
            text = text[..bang];
        }

        // RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'.
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 || !char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        foreach (var c in text[..colon])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        foreach (var c in text)
        {
            // Unencoded spaces, controls and non-ASCII are not URI characters (RFC 3986 2).
            if (c <= ' ' || c >= 0x7f)
            {
                return false;
            }
        }

        var scheme = text[..colon].ToString().ToLowerInvariant();
        string? address = null;
        string? domain = null;
        if (scheme == "mailto")
        {
            if (!TryParseMailto(text[(colon + 1)..], out address, out domain))
            {
                return false;
            }
        }

        uri = new DmarcReportUri(text.ToString(), scheme, maxSize, address, domain);
        return true;
    }

    // RFC 7489 6.4: size = 1*DIGIT [ "k" / "m" / "g" / "t" ], units in powers of two.
    private static bool TryParseSize(ReadOnlySpan<char> text, out long size)
    {
        size = 0;
        var shift = 0;
        if (text.Length > 0 && char.IsAsciiLetter(text[^1]))
        {
            shift = char.ToLowerInvariant(text[^1]) switch
            {
                'k' => 10,
                'm' => 20,
                'g' => 30,
                't' => 40,
                _ => -1,
            };
            text = text[..^1];
        }

        if (shift < 0 || text.IsEmpty || text.Length > 18)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var number = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        size = number > (long.MaxValue >> shift) ? long.MaxValue : number << shift;
        return true;
    }

    private static bool TryParseMailto(ReadOnlySpan<char> text, out string? address, out string? domain)
    {
        address = null;
        domain = null;
        var query = text.IndexOf('?');
        if (query >= 0)
        {
            text = text[..query];
        }

        string decoded;
        try
        {
            decoded = System.Uri.UnescapeDataString(text.ToString());
        }
        catch (UriFormatException)
        {
            return false;
        }

        // One plain address only: a list of several ("a@x,b@y") is not how DMARC lists destinations.
        if (!AddrSpec.TrySplit(decoded, out var localPart, out var domainText) || localPart.Length == 0
            || decoded.AsSpan().ContainsAny(NotInAddress))
        {
            return false;
        }

        if (!ObservedDomain.TryNormalize(domainText, out var normalized))
        {
            return false;
        }

        address = localPart + "@" + normalized;
        domain = normalized;
        return true;
    }
}
