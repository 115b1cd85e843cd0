using Gateway.Abstractions;

namespace Gateway.Transport.Dane;

/// <summary>Which TLSA records an SMTP client may use (RFC 7672 2.1.1, 3.1.3; RFC 6698 2.1).</summary>
public static class TlsaUsability
{
    public const byte DaneTa = 2;
    public const byte DaneEe = 3;

    /// <summary>
    /// True for DANE-TA(2) and DANE-EE(3) with a known selector and matching type whose data has the length its
    /// matching type implies. PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP (RFC 7672 3.1.3): MX hosts are not
    /// expected to hold certificates from a public CA, and a CA list would have to be agreed on first.
    /// </summary>
    public static bool IsUsable(TlsaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Usage is not (DaneTa or DaneEe) || record.Selector > 1)
        {
            return false;
        }

        return record.MatchingType switch
        {
            // Exact data must at least be a DER SEQUENCE; a certificate or SPKI is never this short.
            0 => record.Data.Length > 2 && record.Data.Span[0] == 0x30,
            1 => record.Data.Length == 32,
            2 => record.Data.Length == 64,
            _ => false,
        };
    }

    /// <summary>The usable records of a TLSA RRset, in the order given.</summary>
    public static IReadOnlyList<TlsaRecord> Usable(IEnumerable<TlsaRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return [.. records.Where(IsUsable)];
    }
}
