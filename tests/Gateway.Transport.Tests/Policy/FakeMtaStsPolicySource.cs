using Gateway.Transport.MtaSts;

namespace Gateway.Transport.Tests.Policy;

/// <summary>Answers MTA-STS lookups from a table and counts them.</summary>
internal sealed class FakeMtaStsPolicySource : IMtaStsPolicySource
{
    private readonly Dictionary<string, MtaStsLookup> _lookups = new(StringComparer.OrdinalIgnoreCase);

    public int Lookups { get; private set; }

    public FakeMtaStsPolicySource Add(string domain, MtaStsLookup lookup)
    {
        _lookups[domain] = lookup;
        return this;
    }

    public FakeMtaStsPolicySource AddPolicy(string domain, MtaStsMode mode, params string[] mx)
    {
        var text = $"version: STSv1\nmode: {mode.ToString().ToLowerInvariant()}\n" + string.Concat(mx.Select(m => $"mx: {m}\n")) + "max_age: 86400\n";
        return Add(domain, new MtaStsLookup(new MtaStsPolicy(mode, mx, TimeSpan.FromDays(1), text), "20250601"));
    }

    public ValueTask<MtaStsLookup> GetPolicyAsync(string domain, CancellationToken ct)
    {
        Lookups++;
        return ValueTask.FromResult(_lookups.GetValueOrDefault(domain) ?? MtaStsLookup.NoPolicy);
    }
}
