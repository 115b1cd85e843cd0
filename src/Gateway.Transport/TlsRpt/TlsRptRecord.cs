namespace Gateway.Transport.TlsRpt;

/// <summary>
/// A domain's TLS-RPT record (RFC 8460 3), published as TXT at "_smtp._tls.&lt;domain&gt;":
/// <c>v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://reports.example.org/v1</c>. Only "mailto:" and "https:"
/// destinations are kept (RFC 8460 3: tlsrpt-uri); a record without any is invalid.
/// </summary>
public sealed record TlsRptRecord(IReadOnlyList<Uri> ReportUris)
{
    private const string Version = "v=TLSRPTv1";

    /// <summary>The owner name of the record: "_smtp._tls.example.org".</summary>
    public static string QueryName(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return "_smtp._tls." + domain.TrimEnd('.');
    }

    /// <summary>
    /// The policy among a name's TXT records: exactly one must start with "v=TLSRPTv1", else there is none
    /// (RFC 8460 3: "If the number of resulting records is not one, senders MUST assume the recipient domain does
    /// not implement TLSRPT").
    /// </summary>
    public static TlsRptRecord? FromTxt(IEnumerable<string> txtRecords)
    {
        ArgumentNullException.ThrowIfNull(txtRecords);
        var candidates = txtRecords.Where(IsTlsRpt).Take(2).ToList();
        return candidates.Count == 1 ? Parse(candidates[0]) : null;
    }

    /// <summary>Parses one record; null when it is not a valid TLS-RPT record.</summary>
    public static TlsRptRecord? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsTlsRpt(text))
        {
            return null;
        }

        // tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]; field-delim = *WSP ";" *WSP
        var fields = text.Split(';');
        if (fields[0].TrimEnd(' ', '\t') != Version)
        {
            return null;
        }

        List<Uri>? uris = null;
        for (var i = 1; i < fields.Length; i++)
        {
            var field = fields[i].Trim(' ', '\t');
            if (field.Length == 0)
            {
                // Only a trailing delimiter may leave an empty field.
                if (i != fields.Length - 1)
                {
                    return null;
                }

                continue;
            }

            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            var name = field[..equals];
            if (!string.Equals(name, "rua", StringComparison.Ordinal))
            {
                // tlsrpt-extension: ignored, but must be well-formed (ext-name = alphanumerics, "_", ".").
                if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
                {
                    return null;
                }

                continue;
            }

            if (uris is not null)
            {
                return null;
            }

            uris = [];
            foreach (var part in field[(equals + 1)..].Split(','))
            {
                if (Uri.TryCreate(part.Trim(' ', '\t'), UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeMailto || uri.Scheme == Uri.UriSchemeHttps))
                {
                    uris.Add(uri);
                }
            }
        }

        return uris is { Count: > 0 } ? new TlsRptRecord(uris) : null;
    }

    private static bool IsTlsRpt(string text) =>
        text.StartsWith(Version, StringComparison.Ordinal) && (text.Length == Version.Length || text[Version.Length] is ';' or ' ' or '\t');
}
