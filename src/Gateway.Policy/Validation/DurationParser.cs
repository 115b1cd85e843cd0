using System.Globalization;

namespace Gateway.Policy.Validation;

/// <summary>Durations written as "&lt;integer&gt;&lt;unit&gt;" with unit ms, s, m, h or d (e.g. 30s, 5m, 2h).</summary>
public static class DurationParser
{
    public const string Format = "an integer with a unit ms, s, m, h or d (e.g. 30s, 5m, 2h)";

    /// <summary>Returns null on success, else why the text is not a duration.</summary>
    public static string? TryParse(string text, out TimeSpan value)
    {
        value = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return $"'{Echo.Of(text)}' is not a duration; expected {Format}";
        }

        long ticksPerUnit;
        switch (text.AsSpan(digits))
        {
            case "ms":
                ticksPerUnit = TimeSpan.TicksPerMillisecond;
                break;
            case "s":
                ticksPerUnit = TimeSpan.TicksPerSecond;
                break;
            case "m":
                ticksPerUnit = TimeSpan.TicksPerMinute;
                break;
            case "h":
                ticksPerUnit = TimeSpan.TicksPerHour;
                break;
            case "d":
                ticksPerUnit = TimeSpan.TicksPerDay;
                break;
            case "":
                return $"'{Echo.Of(text)}' has no unit; expected {Format}";
            default:
                return $"'{Echo.Of(text)}' has an unknown unit '{Echo.Of(text[digits..])}'; expected {Format}";
        }

        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            return $"'{Echo.Of(text)}' is too large";
        }

        value = TimeSpan.FromTicks(count * ticksPerUnit);
        return null;
    }

    /// <summary>Shortest exact spelling in this format, for messages ("300s" -> "5m").</summary>
    public static string Describe(TimeSpan value)
    {
        var ticks = value.Ticks;
        if (ticks % TimeSpan.TicksPerDay == 0 && ticks != 0)
        {
            return (ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
        }

        if (ticks % TimeSpan.TicksPerHour == 0 && ticks != 0)
        {
            return (ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (ticks % TimeSpan.TicksPerMinute == 0 && ticks != 0)
        {
            return (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (ticks % TimeSpan.TicksPerSecond == 0)
        {
            return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s";
        }

        return (ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
