using System.Globalization;

namespace Gateway.Syntax;

/// <summary>The RFC 5322 3.3 date-time the gateway writes into trace fields and notices.</summary>
public static class MailDate
{
    /// <summary>day-of-week "," day month year hour ":" minute ":" second zone (+hhmm), in the value's own offset.</summary>
    public static string Format(DateTimeOffset at)
    {
        var offset = at.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{at.ToString("ddd, d MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture)} {sign}{abs.Hours:00}{abs.Minutes:00}");
    }
}
