namespace Gateway.Abstractions;

/// <summary>
/// One TLSA record (RFC 6698 2.1): certificate usage (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE), selector
/// (0 full certificate, 1 SubjectPublicKeyInfo), matching type (0 exact, 1 SHA-256, 2 SHA-512) and the
/// certificate association data. Values outside the registries are kept as published: RFC 7672 2.1.1 says
/// such records are "unusable", which is for the DANE matcher to decide, not for DNS to hide.
/// </summary>
public sealed record TlsaRecord(byte Usage, byte Selector, byte MatchingType, ReadOnlyMemory<byte> Data)
{
    /// <summary>The presentation form ("3 1 1 ab12...") for logs and reports.</summary>
    public override string ToString() => $"{Usage} {Selector} {MatchingType} {Convert.ToHexStringLower(Data.Span)}";

    public bool Equals(TlsaRecord? other) =>
        other is not null && Usage == other.Usage && Selector == other.Selector && MatchingType == other.MatchingType && Data.Span.SequenceEqual(other.Data.Span);

    public override int GetHashCode() => HashCode.Combine(Usage, Selector, MatchingType, Data.Length);
}
