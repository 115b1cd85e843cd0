namespace Gateway.Syntax;

/// <summary>SMTP reply codes, RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39.</summary>
public static class ReplyCode
{
    /// <summary>True for 2yz-5yz with the second digit 0-5 (RFC 5321 4.2.1 defines its categories only up to 5).</summary>
    public static bool IsValid(int code) => code is >= 200 and <= 599 && code / 10 % 10 <= 5;

    /// <summary>
    /// The code at the start of a reply line: three digits followed by the end of the line, a space (the last
    /// line) or a hyphen (more lines follow), RFC 5321 4.2.1. <paramref name="text"/> is what follows the separator.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> line, out int code, out ReadOnlySpan<char> text)
    {
        code = 0;
        text = default;
        if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2])
            || (line.Length > 3 && line[3] is not (' ' or '-')))
        {
            return false;
        }

        var value = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        if (!IsValid(value))
        {
            return false;
        }

        code = value;
        text = line.Length > 3 ? line[4..] : default;
        return true;
    }
}
