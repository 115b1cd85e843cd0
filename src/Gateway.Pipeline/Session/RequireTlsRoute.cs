using Gateway.Policy;
using Gateway.Transport;

namespace Gateway.Pipeline.Session;

/// <summary>
/// Whether mail for one of our domains sent with REQUIRETLS (RFC 8689) can reach its internal server: delivery takes
/// only route hosts whose TLS is verified (tls: verify, or require_tls: true) for such a message, which is known from
/// the policy before any data is accepted.
/// </summary>
internal static class RequireTlsRoute
{
    /// <summary>
    /// True when the domain has a route (its own or "*") and none of its hosts is verified: every message sent with
    /// REQUIRETLS would be accepted and then bounced. A domain without a route is left to delivery (deferred).
    /// </summary>
    public static bool CannotCarry(GatewayPolicy policy, string domain)
    {
        var routes = policy.Delivery.Routes;
        if (!routes.TryGetValue(domain.ToLowerInvariant(), out var hosts) && !routes.TryGetValue("*", out hosts))
        {
            return false;
        }

        return !hosts.Any(h => h.Tls is { Level: TlsLevel.Verify });
    }
}
