using System.Net;
using Gateway.Host.Hosting;
using Gateway.Syntax;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.MtaSts;

/// <summary>
/// Serves our MTA-STS policy on the mta_sts.listen endpoint, and nothing else there: requests reaching that
/// endpoint never get to the admin routes (/health, /metrics), and the admin endpoint never serves the policy.
/// </summary>
internal static class MtaStsEndpoints
{
    public const string WellKnownPath = "/.well-known/mta-sts.txt";

    public static IApplicationBuilder UseMtaSts(this IApplicationBuilder app, IPEndPoint listen, RuntimeHolder runtime)
    {
        return app.Use(async (context, next) =>
        {
            if (!IsPolicyEndpoint(context.Connection, listen))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var policy = runtime.Current.Policy;
            var host = context.Request.Host.Host.TrimEnd('.');

            // RFC 8461 3.3: the policy host is "mta-sts." + the policy domain; only our domains have one.
            var ours = host.StartsWith("mta-sts.", StringComparison.OrdinalIgnoreCase)
                && policy.Domains.Contains(DomainName.ComparisonForm(host["mta-sts.".Length..]), StringComparer.Ordinal);
            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != WellKnownPath || !ours)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var published = PublishedMtaStsPolicy.For(policy);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = PublishedMtaStsPolicy.ContentType;
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync(published.Text, context.RequestAborted).ConfigureAwait(false);
        });
    }

    private static bool IsPolicyEndpoint(ConnectionInfo connection, IPEndPoint listen)
    {
        if (connection.LocalPort != listen.Port)
        {
            return false;
        }

        var local = connection.LocalIpAddress;
        return listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any)
            || (local is not null && (local.Equals(listen.Address) || (local.IsIPv4MappedToIPv6 && local.MapToIPv4().Equals(listen.Address))));
    }
}
