using System.Net;

namespace Gateway.Testing.Peers;

/// <summary>
/// A local DNSSEC world on 127.0.0.1: knot serving the test zones (signing the secure and bogus ones) and a
/// validating unbound in front of it that trusts their anchors. Point a resolver at <see cref="EndPoint"/>.
/// </summary>
public sealed class ValidatingDns : IAsyncDisposable
{
    private ValidatingDns(KnotDns authority, UnboundResolver resolver)
    {
        Authority = authority;
        Resolver = resolver;
    }

    /// <summary>The authoritative server: ask it directly for answers nobody validated.</summary>
    public KnotDns Authority { get; }

    public UnboundResolver Resolver { get; }

    /// <summary>The validating resolver's address.</summary>
    public IPEndPoint EndPoint => Resolver.EndPoint;

    public static async Task<ValidatingDns> StartAsync(IReadOnlyCollection<DnssecZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var knot = await KnotDns.StartAsync(
            zones.ToDictionary(z => z.Origin, z => z.Records, StringComparer.OrdinalIgnoreCase),
            zones.Where(z => z.State != DnssecState.Insecure).Select(z => z.Origin).ToList());
        try
        {
            var stubs = zones.Select(z => z.State switch
            {
                DnssecState.Secure => UnboundStub.Validated(z.Origin, knot.TrustAnchor(z.Origin)),
                DnssecState.Bogus => UnboundStub.Validated(z.Origin, Corrupt(knot.TrustAnchor(z.Origin))),
                _ => UnboundStub.Insecure(z.Origin),
            }).ToList();
            return new ValidatingDns(knot, await UnboundResolver.StartAsync(knot.EndPoint, stubs));
        }
        catch
        {
            await knot.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Resolver.DisposeAsync();
        await Authority.DisposeAsync();
    }

    /// <summary>The DS with the last digit of its digest changed: it matches no key, so the zone cannot validate.</summary>
    private static string Corrupt(string ds) => ds[..^1] + (ds[^1] == '0' ? '1' : '0');
}
