using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.Control;

/// <summary>
/// Keeps the control endpoints on the Unix socket: over TCP (the admin listener) they do not exist (404), and a
/// peer that is neither this process's user nor root is refused (403). The socket's mode 0600 already keeps
/// other users out; the uid check also covers the moment between bind and chmod at start-up.
/// </summary>
internal static class ControlSocketOnly
{
    private const string ActorKey = "gateway.control.actor";

    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var socket = context.HttpContext.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix)
        {
            return Results.NotFound();
        }

        var peer = PeerCredentials.PeerUid(socket);
        if (peer is { } uid && PeerCredentials.OwnUid() is { } own && uid != own && uid != 0)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        context.HttpContext.Items[ActorKey] = PeerCredentials.Actor(peer);
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The audit actor the filter found for this request.</summary>
    public static string Actor(HttpContext context) => context.Items[ActorKey] as string ?? PeerCredentials.Actor(null);
}
