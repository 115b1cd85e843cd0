namespace Gateway.Transport.MtaSts;

/// <summary>
/// A fetched, valid policy; or the TLS-RPT result type of the failure (<see cref="MtaStsFailureTypes"/>) with a
/// detail for logs.
/// </summary>
public sealed record MtaStsFetchResult(MtaStsPolicy? Policy, string? FailureResultType, string? FailureDetail)
{
    public bool IsSuccess => Policy is not null;

    public static MtaStsFetchResult Success(MtaStsPolicy policy) => new(policy, null, null);

    public static MtaStsFetchResult Failure(string resultType, string detail) => new(null, resultType, detail);
}
