using System.Net;

namespace Gateway.Policy;

/// <summary>The admin HTTP endpoint (admin:).</summary>
public sealed record AdminPolicy
{
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8025);

    /// <summary>
    /// Absolute path of a file holding the bearer token the quarantine endpoints require over TCP (admin.token_file);
    /// null: those endpoints answer only on the local control socket. Read at each request, so a new token needs no reload.
    /// </summary>
    public string? TokenFile { get; init; }
}
