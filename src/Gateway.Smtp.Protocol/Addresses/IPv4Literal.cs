using System.Net;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Strict dotted-quad parsing. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also accepts "127.1",
/// hex and octal forms, so it is never used on IPv4 text from the wire.
/// </summary>
internal static class IPv4Literal
{
    /// <summary>RFC 5321 4.1.3 IPv4-address-literal: Snum 3("." Snum), Snum 1*3DIGIT 0-255.</summary>
    /// <remarks>Leading zeros ("010") are refused: other parsers read them as octal, so one text could name two hosts.</remarks>
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
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
}
