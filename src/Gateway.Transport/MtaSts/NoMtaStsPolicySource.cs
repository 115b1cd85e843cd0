namespace Gateway.Transport.MtaSts;

/// <summary>The source when MTA-STS is switched off (delivery.tls.mta_sts: false): no destination has a policy.</summary>
public sealed class NoMtaStsPolicySource : IMtaStsPolicySource
{
    public static NoMtaStsPolicySource Instance { get; } = new();

    public ValueTask<MtaStsLookup> GetPolicyAsync(string domain, CancellationToken ct) => ValueTask.FromResult(MtaStsLookup.NoPolicy);
}
