using System.Net;

namespace Gateway.Policy;

/// <summary>The admin HTTP endpoint (admin:).</summary>
public sealed record AdminPolicy
{
    /// <summary>Characters a bearer token needs to resist guessing over the network; checked at load and at each request.</summary>
    public const int MinTokenLength = 16;

    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8025);

    /// <summary>
    /// Absolute path of a file holding the bearer token the quarantine endpoints require over TCP (admin.token_file);
    /// null: those endpoints answer only on the local control socket. Read at each request, so a new token needs no reload.
    /// </summary>
    public string? TokenFile { get; init; }
}
