using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gateway.Authentication.Dmarc;

/// <summary>
/// A parsed DMARC policy record (RFC 7489 6.3 and 6.4, plus DMARCbis "np"). Parsed once per lookup; immutable.
/// </summary>
public sealed record DmarcRecord
{
    /// <summary>Longest record text accepted; real records are under 300 characters.</summary>
    public const int MaxLength = 4096;

    // RFC 7489 6.3 defaults.
    private const int DefaultReportIntervalSeconds = 86400;

    /// <summary>"p": the policy for the domain. <see cref="DmarcPolicy.None"/> when <see cref="PolicyMissing"/>.</summary>
    public DmarcPolicy Policy { get; init; }

    /// <summary>
    /// True when p (or sp) was missing or invalid and the record is used as "p=none" because it has a valid rua
    /// (RFC 7489 6.6.3 step 6).
    /// </summary>
    public bool PolicyMissing { get; init; }

    /// <summary>"sp": the policy for subdomains; null when absent (then <see cref="Policy"/> applies).</summary>
    public DmarcPolicy? SubdomainPolicy { get; init; }

    /// <summary>"np" (DMARCbis): the policy for non-existent subdomains; null when absent (then sp, then p).</summary>
    public DmarcPolicy? NonExistentSubdomainPolicy { get; init; }

    /// <summary>"adkim", relaxed by default.</summary>
    public DmarcAlignmentMode DkimAlignment { get; init; }

    /// <summary>"aspf", relaxed by default.</summary>
    public DmarcAlignmentMode SpfAlignment { get; init; }

    /// <summary>"pct": the percentage of failing messages the policy applies to (0-100, default 100).</summary>
    public int Percent { get; init; } = 100;

    /// <summary>"rua": the syntactically valid aggregate report URIs (invalid ones are dropped).</summary>
    public IReadOnlyList<DmarcReportUri> AggregateReportUris { get; init; } = [];

    /// <summary>"ruf": the syntactically valid failure report URIs.</summary>
    public IReadOnlyList<DmarcReportUri> FailureReportUris { get; init; } = [];

    /// <summary>"ri": the requested aggregate report interval (default one day).</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(DefaultReportIntervalSeconds);

    /// <summary>"fo": failure reporting options as published ("0" by default).</summary>
    public string FailureOptions { get; init; } = "0";

    /// <summary>"rf": failure report formats as published ("afrf" by default).</summary>
    public string ReportFormat { get; init; } = "afrf";

    /// <summary>The record text as published.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>
    /// True when <paramref name="text"/> starts with the version tag "v=DMARC1" (RFC 7489 6.6.3 steps 2 and 4:
    /// TXT records that do not are discarded before counting). Tag name and value compare case-insensitively
    /// as ABNF literals do (RFC 5234 2.3).
    /// </summary>
    public static bool IsDmarcRecord(ReadOnlySpan<char> text)
    {
        text = text.TrimStart(" \t");
        if (text.Length < 1 || (text[0] is not ('v' or 'V')))
        {
            return false;
        }

        text = text[1..].TrimStart(" \t");
        if (text.IsEmpty || text[0] != '=')
        {
            return false;
        }

        text = text[1..].TrimStart(" \t");
        if (!text.StartsWith("DMARC1", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = text[6..].TrimStart(" \t");
        return rest.IsEmpty || rest[0] == ';';
    }

    /// <summary>Parses a record; see <see cref="TryParse(string, out DmarcRecord?, out string?)"/>.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out DmarcRecord? record) => TryParse(text, out record, out _);

    /// <summary>
    /// Parses a DMARC record. Returns false with a reason when the record does not start with v=DMARC1, has a
    /// syntax error (a tag without '=', a duplicate tag, an invalid adkim/aspf/pct/ri/fo/rf value), or lacks a
    /// valid p (or has an invalid sp) while having no valid rua URI (RFC 7489 6.6.3 step 6). Unknown tags are
    /// ignored (RFC 7489 6.3). An invalid np is ignored (DMARCbis is not yet a standard).
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out DmarcRecord? record, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        record = null;
        if (text.Length > MaxLength)
        {
            error = "record too long";
            return false;
        }

        if (!IsDmarcRecord(text))
        {
            error = "not a DMARC1 record";
            return false;
        }

        DmarcPolicy? policy = null;
        var policyInvalid = false;
        DmarcPolicy? subdomainPolicy = null;
        var subdomainPolicyInvalid = false;
        DmarcPolicy? nonExistentPolicy = null;
        var dkimAlignment = DmarcAlignmentMode.Relaxed;
        var spfAlignment = DmarcAlignmentMode.Relaxed;
        var percent = 100;
        DmarcReportUri[] rua = [];
        DmarcReportUri[] ruf = [];
        var interval = TimeSpan.FromSeconds(DefaultReportIntervalSeconds);
        var failureOptions = "0";
        var reportFormat = "afrf";
        var seen = new HashSet<string>(StringComparer.Ordinal);

        var remaining = text.AsSpan();
        var first = true;
        while (!remaining.IsEmpty)
        {
            var semicolon = remaining.IndexOf(';');
            var part = (semicolon < 0 ? remaining : remaining[..semicolon]).Trim(" \t");
            remaining = semicolon < 0 ? [] : remaining[(semicolon + 1)..];
            if (part.IsEmpty)
            {
                continue;
            }

            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                error = "tag without value";
                return false;
            }

            var name = part[..equals].TrimEnd(" \t").ToString().ToLowerInvariant();
            var value = part[(equals + 1)..].TrimStart(" \t");
            if (!IsTagName(name))
            {
                error = "invalid tag name";
                return false;
            }

            if (first)
            {
                // IsDmarcRecord checked the version tag.
                first = false;
                seen.Add(name);
                continue;
            }

            if (!seen.Add(name))
            {
                error = $"duplicate tag {name}";
                return false;
            }

            switch (name)
            {
                case "v":
                    error = "v is not the first tag";
                    return false;
                case "p":
                    policy = ParsePolicy(value);
                    policyInvalid = policy is null;
                    break;
                case "sp":
                    subdomainPolicy = ParsePolicy(value);
                    subdomainPolicyInvalid = subdomainPolicy is null;
                    break;
                case "np":
                    nonExistentPolicy = ParsePolicy(value);
                    break;
                case "adkim" or "aspf":
                    DmarcAlignmentMode mode;
                    if (value.Equals("r", StringComparison.OrdinalIgnoreCase))
                    {
                        mode = DmarcAlignmentMode.Relaxed;
                    }
                    else if (value.Equals("s", StringComparison.OrdinalIgnoreCase))
                    {
                        mode = DmarcAlignmentMode.Strict;
                    }
                    else
                    {
                        error = $"invalid {name}";
                        return false;
                    }

                    if (name == "adkim")
                    {
                        dkimAlignment = mode;
                    }
                    else
                    {
                        spfAlignment = mode;
                    }

                    break;
                case "pct":
                    // RFC 7489 6.4: dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT, 0 to 100.
                    if (value.Length is < 1 or > 3 || !IsDigits(value)
                        || (percent = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)) > 100)
                    {
                        error = "invalid pct";
                        return false;
                    }

                    break;
                case "ri":
                    // RFC 7489 6.4: 1*32DIGIT; anything beyond a year is clamped (receivers may report less often).
                    if (value.Length is < 1 or > 32 || !IsDigits(value))
                    {
                        error = "invalid ri";
                        return false;
                    }

                    interval = value.Length > 9
                        ? TimeSpan.FromDays(366)
                        : TimeSpan.FromSeconds(Math.Min(int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture), 366 * 86400));
                    break;
                case "fo":
                    if (!IsColonList(value, static option => option is "0" or "1" or "d" or "s"))
                    {
                        error = "invalid fo";
                        return false;
                    }

                    failureOptions = value.ToString();
                    break;
                case "rf":
                    if (!IsColonList(value, static format => format.Length > 0 && format.All(char.IsAsciiLetterOrDigit)))
                    {
                        error = "invalid rf";
                        return false;
                    }

                    reportFormat = value.ToString();
                    break;
                case "rua":
                    rua = ParseUris(value);
                    break;
                case "ruf":
                    ruf = ParseUris(value);
                    break;
                default:
                    // RFC 7489 6.3: unknown tags MUST be ignored.
                    break;
            }
        }

        var policyMissing = false;
        if (policy is null || policyInvalid || subdomainPolicyInvalid)
        {
            // RFC 7489 6.6.3 step 6.
            if (rua.Length == 0)
            {
                error = policy is null && !policyInvalid ? "missing p" : "invalid p or sp";
                return false;
            }

            policyMissing = true;
            policy = DmarcPolicy.None;
            subdomainPolicy = null;
            nonExistentPolicy = null;
        }

        record = new DmarcRecord
        {
            Policy = policy.Value,
            PolicyMissing = policyMissing,
            SubdomainPolicy = subdomainPolicy,
            NonExistentSubdomainPolicy = nonExistentPolicy,
            DkimAlignment = dkimAlignment,
            SpfAlignment = spfAlignment,
            Percent = percent,
            AggregateReportUris = rua,
            FailureReportUris = ruf,
            ReportInterval = interval,
            FailureOptions = failureOptions,
            ReportFormat = reportFormat,
            Text = text,
        };
        error = null;
        return true;
    }

    private static DmarcPolicy? ParsePolicy(ReadOnlySpan<char> value)
    {
        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return DmarcPolicy.None;
        }

        if (value.Equals("quarantine", StringComparison.OrdinalIgnoreCase))
        {
            return DmarcPolicy.Quarantine;
        }

        if (value.Equals("reject", StringComparison.OrdinalIgnoreCase))
        {
            return DmarcPolicy.Reject;
        }

        return null;
    }

    // RFC 7489 6.4 (via RFC 6376 3.2): tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_".
    private static bool IsTagName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsColonList(ReadOnlySpan<char> value, Func<string, bool> isItem)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var range in value.Split(':'))
        {
            if (!isItem(value[range].Trim(" \t").ToString().ToLowerInvariant()))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 7489 6.4: dmarc-uri *(*WSP "," *WSP dmarc-uri). URIs that do not parse are dropped, so one typo does not
    // cost the Domain Owner the other destinations.
    private static DmarcReportUri[] ParseUris(ReadOnlySpan<char> value)
    {
        var uris = new List<DmarcReportUri>();
        foreach (var range in value.Split(','))
        {
            if (DmarcReportUri.TryParse(value[range], out var uri) && uris.Count < 32)
            {
                uris.Add(uri!);
            }
        }

        return [.. uris];
    }
}
