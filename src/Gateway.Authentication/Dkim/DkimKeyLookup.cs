namespace Gateway.Authentication.Dkim;

/// <summary>
/// The outcome of fetching one DKIM key: either a usable <see cref="Key"/> or the result the signature gets
/// because of the key (<see cref="DkimResult.TempError"/> for SERVFAIL/timeout, <see cref="DkimResult.PermError"/>
/// for no record, a revoked key or a malformed record) with a reason.
/// </summary>
public sealed record DkimKeyLookup(DkimKeyRecord? Key, DkimResult Failure, string? Reason)
{
    public bool Found => Key is not null;

    public static DkimKeyLookup Success(DkimKeyRecord key) => new(key, DkimResult.None, null);

    public static DkimKeyLookup Fail(DkimResult result, string reason) => new(null, result, reason);
}
