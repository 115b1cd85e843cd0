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

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
