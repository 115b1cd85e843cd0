using Gateway.Dns;
using Gateway.Policy;

namespace Gateway.Host.Hosting;

/// <summary>The resolver settings a policy asks for (dns:); everything else keeps the resolver's defaults.</summary>
internal static class DnsSettings
{
    public static DnsResolverOptions For(GatewayPolicy policy) =>
        new()
        {
            Servers = policy.Dns.Servers,
            Timeout = policy.Dns.Timeout,
            DnssecValidating = policy.Dns.Dnssec == DnssecMode.Validating,
        };
}
