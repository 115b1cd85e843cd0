using Gateway.Abstractions;

namespace Gateway.Transport.Dane;

/// <summary>
/// The outcome of <see cref="DaneMatcher.Match"/>: the record that matched, or why nothing did with the TLS-RPT
/// result type (RFC 8460 4.3) of the failure.
/// </summary>
public sealed record DaneMatchResult(DaneOutcome Outcome, TlsaRecord? MatchedRecord, string? Reason, string? ResultType = null)
{
    public static DaneMatchResult Unusable { get; } =
        new(DaneOutcome.AllUnusable, null, "no usable TLSA record (RFC 7672 2.2: TLS without authentication)");

    public static DaneMatchResult Matched(TlsaRecord record) => new(DaneOutcome.Match, record, null);

    public static DaneMatchResult Mismatched(string reason, string resultType) => new(DaneOutcome.Mismatch, null, reason, resultType);
}
