using System.Net;
using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>The running gateway's admin HTTP endpoint as the commands beside it reach it (loopback for a wildcard listen).</summary>
internal static class AdminEndpoint
{
    public static Uri Uri(GatewayPolicy policy, string path)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var listen = policy.Admin.Listen;
        var address = listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : listen.Address;
        return new UriBuilder(System.Uri.UriSchemeHttp, address.ToString(), listen.Port, path).Uri;
    }

    /// <summary>A client for the local endpoint: never through a proxy from the environment, a short timeout.</summary>
    public static HttpClient CreateClient(TimeSpan timeout) =>
        new(new SocketsHttpHandler { UseProxy = false })
        {
            Timeout = timeout,

            // Health and metrics answers are small; whatever holds the port must not make us buffer gigabytes.
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };
}
