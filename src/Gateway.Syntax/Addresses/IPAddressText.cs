using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Syntax;

/// <summary>
/// Strict text forms of IP addresses. <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> also
/// accepts "127.1", hex and octal octets, zone ids and surrounding blanks, so it is never used alone on text from
/// the wire, a DNS record or a policy file: every spelling must mean exactly what it looks like.
/// </summary>
public static class IPAddressText
{
    private static readonly SearchValues<char> IPv6Characters = SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// A dotted quad of four decimal octets 0-255: RFC 5321 4.1.3 Snum, RFC 7208 12 qnum, RFC 3986 3.2.2
    /// dec-octet. Leading zeros ("010") are refused: other parsers read them as octal, so one text could name two
    /// hosts.
    /// </summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> octets = stackalloc byte[4];
        var part = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            var value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                value = (value * 10) + (text[i] - '0');
                i++;
            }

            var digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            octets[part++] = (byte)value;
            if (part == 4)
            {
                break;
            }

            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }

        if (i != text.Length)
        {
            return false;
        }

        address = new IPAddress(octets);
        return true;
    }

    /// <summary>
    /// An IPv6 address in the RFC 4291 2.2 text forms: hex digits, colons and an embedded dotted quad; no zone id
    /// ("%eth0"), brackets or blanks.
    /// </summary>
    public static bool TryParseIPv6(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.ContainsAnyExcept(IPv6Characters)
            || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
