using System.Globalization;

namespace Gateway.Policy.Validation;

/// <summary>
/// Sizes in octets: a bare integer or an integer with a unit. Decimal units (KB, MB, GB) are powers of 1000,
/// binary units (KiB, MiB, GiB) powers of 1024 (IEC 80000-13), so "35MiB" and "36700160" are the same.
/// </summary>
internal static class SizeParser
{
    public const string Format = "an integer number of octets, optionally with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. 35MiB)";

    /// <summary>Returns null on success, else why the text is not a size.</summary>
    public static string? TryParse(string text, out long value)
    {
        value = 0;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return $"'{Echo.Of(text)}' is not a size; expected {Format}";
        }

        long multiplier;
        switch (text.AsSpan(digits))
        {
            case "":
            case "B":
                multiplier = 1;
                break;
            case "KB":
                multiplier = 1000;
                break;
            case "MB":
                multiplier = 1000 * 1000;
                break;
            case "GB":
                multiplier = 1000 * 1000 * 1000;
                break;
            case "KiB":
                multiplier = 1024;
                break;
            case "MiB":
                multiplier = 1024 * 1024;
                break;
            case "GiB":
                multiplier = 1024 * 1024 * 1024;
                break;
            default:
                return $"'{Echo.Of(text)}' has an unknown unit '{Echo.Of(text[digits..])}'; expected {Format}";
        }

        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > long.MaxValue / multiplier)
        {
            return $"'{Echo.Of(text)}' is too large";
        }

        value = count * multiplier;
        return null;
    }

    /// <summary>Shortest exact spelling for messages (binary units, as the defaults are written).</summary>
    public static string Describe(long value)
    {
        if (value != 0 && value % (1024L * 1024 * 1024) == 0)
        {
            return (value / (1024L * 1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "GiB";
        }

        if (value != 0 && value % (1024L * 1024) == 0)
        {
            return (value / (1024L * 1024)).ToString(CultureInfo.InvariantCulture) + "MiB";
        }

        if (value != 0 && value % 1024 == 0)
        {
            return (value / 1024).ToString(CultureInfo.InvariantCulture) + "KiB";
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }
}
