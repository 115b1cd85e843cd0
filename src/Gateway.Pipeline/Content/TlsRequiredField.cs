namespace Gateway.Pipeline.Content;

/// <summary>
/// Finds the <c>TLS-Required: No</c> header field (RFC 8689 4): the sender asks that recipient-side policy
/// requiring TLS (MTA-STS, DANE) be ignored when the message is relayed, because delivery matters more than
/// confidentiality (a report about broken TLS, say). The field has the one value "No".
/// </summary>
internal static class TlsRequiredField
{
    private static ReadOnlySpan<byte> Name => "TLS-Required"u8;

    /// <summary>True when a TLS-Required field of the header section says "No" (case and folding white space ignored).</summary>
    /// <param name="section">The header section, with the empty line that ends it when there is one.</param>
    public static bool SaysNo(ReadOnlySpan<byte> section) =>
        HeaderFieldValues.All(section, Name).Any(v => v.Trim(' ', '\t').Equals("No", StringComparison.OrdinalIgnoreCase));
}
