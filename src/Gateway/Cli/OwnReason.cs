namespace Gateway.Host.Cli;

/// <summary>
/// How the CLI shows a delivery reason: the gateway's own (a refused connection, a TLS policy the host does not meet)
/// is marked "ours: ", so that an admin does not read it as what the remote host answered.
/// </summary>
internal static class OwnReason
{
    public const string Marker = "ours: ";

    public static string Show(string reply, bool local) => local ? Marker + reply : reply;
}
