namespace Gateway.Transport.MtaSts;

/// <summary>
/// The "_mta-sts" TXT record of a policy domain (RFC 8461 3.1): it announces that the domain publishes a policy and
/// names its version with <see cref="Id"/>, so a sender refetches only when the id changes.
/// </summary>
public sealed record MtaStsRecord(string Id)
{
    /// <summary>RFC 8461 3.1: sts-version = %s"v=STSv1" (case-sensitive).</summary>
    private const string Version = "v=STSv1";

    /// <summary>RFC 8461 3.1: sts-id = %s"id=" 1*32(ALPHA / DIGIT).</summary>
    private const int MaxIdLength = 32;

    /// <summary>RFC 8461 3.1: sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").</summary>
    private const int MaxExtensionNameLength = 32;

    /// <summary>The owner name of the record for a policy domain (RFC 8461 3.1).</summary>
    public static string OwnerName(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return "_mta-sts." + domain;
    }

    /// <summary>
    /// Picks the record from all TXT records at the name (RFC 8461 3.1): those not starting with "v=STSv1" are
    /// discarded; when not exactly one remains, or it is invalid, the domain has no available policy record.
    /// </summary>
    public static MtaStsRecordResult Discover(IReadOnlyList<string> txtRecords)
    {
        ArgumentNullException.ThrowIfNull(txtRecords);
        string? candidate = null;
        foreach (var text in txtRecords)
        {
            if (!StartsWithVersion(text))
            {
                continue;
            }

            if (candidate is not null)
            {
                return MtaStsRecordResult.Invalid("more than one v=STSv1 TXT record (RFC 8461 3.1)");
            }

            candidate = text;
        }

        return candidate is null ? MtaStsRecordResult.Invalid("no v=STSv1 TXT record") : Parse(candidate);
    }

    /// <summary>
    /// Parses one record with the RFC 8461 3.1 grammar:
    /// <c>sts-version 1*(*WSP ";" *WSP sts-field) [";"]</c>, where a field is <c>id=</c> 1-32 letters and
    /// digits or an extension <c>name=value</c>. The id must appear exactly once. Trailing blanks after the
    /// last field are tolerated (the grammar has none, but they are unambiguous and common).
    /// </summary>
    public static MtaStsRecordResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!StartsWithVersion(text))
        {
            return MtaStsRecordResult.Invalid("the record does not start with v=STSv1");
        }

        var rest = text.AsSpan(Version.Length).TrimEnd(" \t");
        string? id = null;
        var fields = 0;
        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart(" \t");
            if (rest.IsEmpty || rest[0] != ';')
            {
                return MtaStsRecordResult.Invalid("fields must be separated by ';'");
            }

            rest = rest[1..].TrimStart(" \t");
            if (rest.IsEmpty)
            {
                // The optional terminating ';' (RFC 8461 3.1 "[%x3B]").
                break;
            }

            var end = rest.IndexOfAny(" \t;");
            var field = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[end..];
            var equals = field.IndexOf('=');
            if (equals <= 0)
            {
                return MtaStsRecordResult.Invalid($"field '{field}' is not name=value");
            }

            var name = field[..equals];
            var value = field[(equals + 1)..];
            if (name.SequenceEqual("id"))
            {
                if (id is not null)
                {
                    return MtaStsRecordResult.Invalid("more than one id field");
                }

                if (value.IsEmpty || value.Length > MaxIdLength || !IsAlphanumeric(value))
                {
                    return MtaStsRecordResult.Invalid("id must be 1 to 32 letters and digits (RFC 8461 3.1)");
                }

                id = value.ToString();
            }
            else if (!IsExtensionName(name) || !IsExtensionValue(value))
            {
                return MtaStsRecordResult.Invalid($"field '{field}' is not a valid extension (RFC 8461 3.1)");
            }

            fields++;
        }

        if (fields == 0 || id is null)
        {
            return MtaStsRecordResult.Invalid("the id field is required (RFC 8461 3.1)");
        }

        return MtaStsRecordResult.Valid(new MtaStsRecord(id));
    }

    /// <summary>The version followed by the end, a blank or ';': "v=STSv10" is another version, not ours.</summary>
    private static bool StartsWithVersion(string text) =>
        text.StartsWith(Version, StringComparison.Ordinal)
        && (text.Length == Version.Length || text[Version.Length] is ';' or ' ' or '\t');

    private static bool IsAlphanumeric(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsExtensionName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxExtensionNameLength || !char.IsAsciiLetterOrDigit(name[0]))
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

    /// <summary>RFC 8461 3.1: sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E), visible ASCII except '=' and ';'.</summary>
    private static bool IsExtensionValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~' or '=' or ';')
            {
                return false;
            }
        }

        return true;
    }
}
