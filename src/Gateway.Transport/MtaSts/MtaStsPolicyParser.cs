using System.Globalization;
using Gateway.Syntax;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// Parses the policy file served at /.well-known/mta-sts.txt (RFC 8461 3.2), strictly: a policy a sender
/// enforces must not mean something its author did not write, so every doubt is an error ("sts-policy-invalid",
/// RFC 8460 4.3) rather than a guess.
/// </summary>
/// <remarks>
/// Grammar (RFC 8461 3.2): fields <c>name ":" *WSP value *WSP</c>, each on its own line ended by LF or CRLF, the
/// last terminator optional; names case-sensitive. version ("STSv1"), mode and max_age are required exactly once;
/// mx at least once unless mode is "none"; other names are extensions and ignored. The RFC fixes no field
/// order, so version need not come first. Blank lines are not in the grammar and are refused, except at the very
/// end where a trailing newline too many is harmless.
/// </remarks>
public static class MtaStsPolicyParser
{
    /// <summary>RFC 8461 3.3: "senders SHOULD impose a limit on the response size", 64 KiB as Postfix and others.</summary>
    public const int MaxPolicyLength = 64 * 1024;

    /// <summary>RFC 8461 3.2: max_age is at most 31557600 seconds (about one year).</summary>
    public const long MaxMaxAgeSeconds = 31_557_600;

    /// <summary>RFC 8461 3.2: sts-policy-max-age-value = 1*10(DIGIT).</summary>
    private const int MaxMaxAgeDigits = 10;

    /// <summary>RFC 8461 3.2: sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").</summary>
    private const int MaxFieldNameLength = 32;

    public static MtaStsPolicyParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxPolicyLength)
        {
            return MtaStsPolicyParseResult.Invalid($"the policy is longer than {MaxPolicyLength} characters");
        }

        string? version = null;
        MtaStsMode? mode = null;
        long? maxAge = null;
        var mx = new List<string>();
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var lineNumber = (i + 1).ToString(CultureInfo.InvariantCulture);
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: not a 'name: value' field");
            }

            var name = line[..colon];
            if (!IsFieldName(name))
            {
                return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: invalid field name '{name}'");
            }

            // sts-policy-field-delim = ":" *WSP; the value is followed by *WSP before the terminator.
            var value = line.AsSpan(colon + 1).Trim(" \t").ToString();
            if (!IsFieldValue(value))
            {
                return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: invalid value of '{name}'");
            }

            switch (name)
            {
                case "version":
                    if (version is not null)
                    {
                        return Duplicate(lineNumber, name);
                    }

                    if (!string.Equals(value, "STSv1", StringComparison.Ordinal))
                    {
                        return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: version '{value}' is not STSv1");
                    }

                    version = value;
                    break;
                case "mode":
                    if (mode is not null)
                    {
                        return Duplicate(lineNumber, name);
                    }

                    mode = value switch
                    {
                        "enforce" => MtaStsMode.Enforce,
                        "testing" => MtaStsMode.Testing,
                        "none" => MtaStsMode.None,
                        _ => null,
                    };
                    if (mode is null)
                    {
                        return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: mode '{value}' is not enforce, testing or none");
                    }

                    break;
                case "max_age":
                    if (maxAge is not null)
                    {
                        return Duplicate(lineNumber, name);
                    }

                    maxAge = ParseMaxAge(value);
                    if (maxAge is null)
                    {
                        return MtaStsPolicyParseResult.Invalid(
                            $"line {lineNumber}: max_age '{value}' is not 1 to 10 digits of at most {MaxMaxAgeSeconds.ToString(CultureInfo.InvariantCulture)}");
                    }

                    break;
                case "mx":
                    var pattern = ParseMxPattern(value);
                    if (pattern is null)
                    {
                        return MtaStsPolicyParseResult.Invalid($"line {lineNumber}: mx '{value}' is not a host name or '*.' and a host name");
                    }

                    mx.Add(pattern);
                    break;
                default:
                    // RFC 8461 3.2: extension fields, unknown to us, are ignored.
                    break;
            }
        }

        if (version is null)
        {
            return MtaStsPolicyParseResult.Invalid("the version field is missing");
        }

        if (mode is null)
        {
            return MtaStsPolicyParseResult.Invalid("the mode field is missing");
        }

        if (maxAge is null)
        {
            return MtaStsPolicyParseResult.Invalid("the max_age field is missing");
        }

        if (mx.Count == 0 && mode != MtaStsMode.None)
        {
            return MtaStsPolicyParseResult.Invalid("no mx field, required unless mode is none");
        }

        return MtaStsPolicyParseResult.Valid(new MtaStsPolicy(mode.Value, mx, TimeSpan.FromSeconds(maxAge.Value), text));
    }

    private static MtaStsPolicyParseResult Duplicate(string lineNumber, string name) =>
        MtaStsPolicyParseResult.Invalid($"line {lineNumber}: '{name}' appears more than once");

    /// <summary>Lines split at LF with an optional CR before it; a lone CR belongs to no terminator and is refused.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var lf = text.IndexOf('\n', start);
            var end = lf < 0 ? text.Length : lf;
            var lineEnd = end > start && lf >= 0 && text[end - 1] == '\r' ? end - 1 : end;
            lines.Add(text[start..lineEnd]);
            start = lf < 0 ? text.Length : lf + 1;
        }

        // Trailing empty lines are dropped; an empty line before a field stays and fails as "not a field".
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static bool IsFieldName(string name)
    {
        if (name.Length > MaxFieldNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 8461 3.2: sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar], visible
    /// ASCII or UTF-8 with inner spaces only: no control characters (a lone CR included), no tabs inside.
    /// </summary>
    private static bool IsFieldValue(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c < ' ' || c == '\u007f')
            {
                return false;
            }
        }

        return true;
    }

    private static long? ParseMaxAge(string value)
    {
        if (value.Length is 0 or > MaxMaxAgeDigits)
        {
            return null;
        }

        long seconds = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }

            seconds = (seconds * 10) + (c - '0');
        }

        return seconds <= MaxMaxAgeSeconds ? seconds : null;
    }

    /// <summary>
    /// RFC 8461 3.2: sts-policy-mx-value = ["*."] Domain, a wildcard only as the whole leftmost label (4.1). The
    /// pattern comes back in its canonical lower-case form.
    /// </summary>
    private static string? ParseMxPattern(string value)
    {
        var wildcard = value.StartsWith("*.", StringComparison.Ordinal);
        var host = wildcard ? value[2..] : value;
        if (DomainName.TryCanonicalize(host, DomainNameOptions.None, out var canonical) != DomainNameError.None)
        {
            return null;
        }

        return wildcard ? "*." + canonical : canonical;
    }
}
