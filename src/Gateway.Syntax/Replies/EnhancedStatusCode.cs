using System.Globalization;

namespace Gateway.Syntax;

/// <summary>
/// An RFC 3463 enhanced mail system status code, class "." subject "." detail: class 2 (success), 4 (persistent
/// transient failure) or 5 (permanent failure); subject and detail 0-999, 1-3 digits each.
/// </summary>
/// <remarks>
/// RFC 3463 2: "Each numeric sub-code within the status-code MUST be expressed without leading zero digits", so
/// "5.01.1" is refused and the text of a valid code is exactly <see cref="ToString"/>.
/// </remarks>
public readonly record struct EnhancedStatusCode
{
    private EnhancedStatusCode(int codeClass, int subject, int detail)
    {
        Class = codeClass;
        Subject = subject;
        Detail = detail;
    }

    public int Class { get; }

    public int Subject { get; }

    public int Detail { get; }

    /// <summary>True when the whole of <paramref name="text"/> is a status code.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) => TryParse(text, out _);

    /// <summary>Parses a status code that is the whole of <paramref name="text"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EnhancedStatusCode code) =>
        TryRead(text, out code, out var length) && Ended(length == text.Length, ref code);

    /// <summary>
    /// The status code that starts the text of a reply (RFC 2034 4: "250 2.1.5 Ok" gives "2.1.5 Ok" here),
    /// followed by white space or the end. False when the text does not start with one.
    /// </summary>
    public static bool TryParseLeading(ReadOnlySpan<char> text, out EnhancedStatusCode code) =>
        TryRead(text, out code, out var length)
        && Ended(length == text.Length || text[length] is ' ' or '\t' or '\r' or '\n', ref code);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Class}.{Subject}.{Detail}");

    private static bool TryRead(ReadOnlySpan<char> text, out EnhancedStatusCode code, out int length)
    {
        code = default;
        length = 0;
        if (text.Length < 5 || text[0] is not ('2' or '4' or '5') || text[1] != '.')
        {
            return false;
        }

        var position = 2;
        if (!TryReadNumber(text, ref position, out var subject) || position >= text.Length || text[position] != '.')
        {
            return false;
        }

        position++;
        if (!TryReadNumber(text, ref position, out var detail))
        {
            return false;
        }

        code = new EnhancedStatusCode(text[0] - '0', subject, detail);
        length = position;
        return true;
    }

    /// <summary>A code read from text that goes on where it should not is no code.</summary>
    private static bool Ended(bool ended, ref EnhancedStatusCode code)
    {
        if (!ended)
        {
            code = default;
        }

        return ended;
    }

    /// <summary>1*3DIGIT without a leading zero ("0" itself is fine).</summary>
    private static bool TryReadNumber(ReadOnlySpan<char> text, ref int position, out int value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            if (position - start == 3)
            {
                return false;
            }

            value = (value * 10) + (text[position] - '0');
            position++;
        }

        var digits = position - start;
        return digits > 0 && !(digits > 1 && text[start] == '0');
    }
}
