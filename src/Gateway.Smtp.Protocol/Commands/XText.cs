using System.Globalization;
using System.Text;

namespace Gateway.Smtp.Protocol;

/// <summary>RFC 3461 4 xtext: printable ASCII except "+" and "=", with "+XX" hex escapes.</summary>
internal static class XText
{
    /// <summary>
    /// Decodes xtext. Hex digits are accepted in either case (RFC 3461 asks senders for upper case; refusing lower
    /// case would refuse mail for no safety gain). The decoded text must be printable ASCII (SP included); with
    /// <paramref name="allowUtf8"/> raw non-ASCII characters pass through as RFC 6533 utf-8-addr-xtext allows.
    /// </summary>
    public static bool TryDecode(string value, bool allowUtf8, out string decoded)
    {
        decoded = string.Empty;
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length)
                {
                    return false;
                }

                if (!char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return false;
                }

                var code = (HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]);
                if (code is < 0x20 or > 0x7E)
                {
                    return false;
                }

                sb.Append((char)code);
                i += 2;
            }
            else if (c is >= (char)33 and <= (char)126 && c != '=')
            {
                sb.Append(c);
            }
            else if (allowUtf8 && c > (char)127)
            {
                sb.Append(c);
            }
            else
            {
                return false;
            }
        }

        decoded = sb.ToString();
        return true;
    }

    /// <summary>
    /// Encodes text as xtext: "+", "=", SP, controls and DEL as "+XX" with upper-case hex (RFC 3461 4). Non-ASCII
    /// characters pass through raw only with <paramref name="allowUtf8"/> (RFC 6533 utf-8-addr-unitext, for a
    /// transaction under SMTPUTF8); otherwise the text cannot be encoded and null is returned.
    /// </summary>
    public static string? Encode(string value, bool allowUtf8)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is >= (char)33 and <= (char)126 && c is not ('+' or '='))
            {
                sb.Append(c);
            }
            else if (c < (char)128)
            {
                sb.Append('+').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else if (allowUtf8)
            {
                sb.Append(c);
            }
            else
            {
                return null;
            }
        }

        return sb.ToString();
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
