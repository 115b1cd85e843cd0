using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.Host.Control;
using Gateway.Host.Hosting;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Quarantine;

/// <summary>
/// Who may use the admin endpoints that show or change mail (the quarantine). The admin listener binds loopback by
/// default, but every local user and any web page the admin's browser opens can reach loopback, so that is not
/// enough. On the local control socket (owner-only, peer uid checked as for the vault) a request is the gateway's
/// own user or root. Over TCP a request needs <c>Authorization: Bearer TOKEN</c> with the token of admin.token_file
/// (none configured: refused), compared in constant time. A browser cannot attach that header to a cross-site
/// request without a CORS preflight, which is never answered, and a DNS-rebinding page does not know the token;
/// requests a browser marks as cross-site (Sec-Fetch-Site) and changes that carry an Origin are refused as well.
/// Changes are POST or DELETE only, so no link or image can trigger one.
/// </summary>
internal static class AdminAccess
{
    // A token file, not a dump: anything larger is a wrong path.
    private const int MaxTokenFileBytes = 4096;

    private const string ActorKey = "gateway.admin.actor";

    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var refusal = Check(http, out var actor);
        if (refusal is not null)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Admin");
            QuarantineHostLog.AdminRefused(logger, http.Request.Method, http.Request.Path, Remote(http), refusal.Value.Why);
            if (refusal.Value.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"gateway-admin\"";
            }

            return Results.Json(new QuarantineAnswer(string.Empty, refusal.Value.Why), QuarantineJsonContext.Default.QuarantineAnswer, statusCode: refusal.Value.Status);
        }

        http.Items[ActorKey] = actor;
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>Who the filter let in, for the trace and the log.</summary>
    public static string Actor(HttpContext context) => context.Items[ActorKey] as string ?? "admin API";

    private static (int Status, string Why)? Check(HttpContext http, out string actor)
    {
        actor = string.Empty;
        var socket = http.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is { AddressFamily: AddressFamily.Unix })
        {
            var peer = PeerCredentials.PeerUid(socket);
            if (peer is { } uid && PeerCredentials.OwnUid() is { } own && uid != own && uid != 0)
            {
                return (StatusCodes.Status403Forbidden, "not the gateway's user");
            }

            actor = PeerCredentials.Actor(peer) + " via the control socket";
            return null;
        }

        var headers = http.Request.Headers;
        if (headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            return (StatusCodes.Status403Forbidden, "cross-site request");
        }

        if (!HttpMethods.IsGet(http.Request.Method) && headers.Origin.Count > 0)
        {
            return (StatusCodes.Status403Forbidden, "a change from a web page (Origin header)");
        }

        var file = http.RequestServices.GetRequiredService<RuntimeHolder>().Current.Policy.Admin.TokenFile;
        if (file is null)
        {
            return (StatusCodes.Status403Forbidden, "the quarantine over TCP needs admin.token_file in the policy");
        }

        var expected = ReadToken(file);
        if (expected is null)
        {
            return (StatusCodes.Status403Forbidden, $"admin.token_file is unreadable or shorter than {Gateway.Policy.AdminPolicy.MinTokenLength} characters");
        }

        var given = headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!given.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !SameToken(given[Scheme.Length..].Trim(), expected))
        {
            return (StatusCodes.Status401Unauthorized, "missing or wrong bearer token");
        }

        actor = "admin API from " + Remote(http);
        return null;
    }

    /// <summary>Hashes first, so the comparison takes the same time whatever the lengths.</summary>
    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>The token of the file as it is now (no reload needed to change it); null when unusable.</summary>
    private static string? ReadToken(string file)
    {
        try
        {
            if (new FileInfo(file).Length > MaxTokenFileBytes)
            {
                return null;
            }

            var token = File.ReadAllText(file).Trim();
            return token.Length >= Gateway.Policy.AdminPolicy.MinTokenLength ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Remote(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "local socket";
}
