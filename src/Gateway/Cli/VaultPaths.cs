using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>
/// Where the S/MIME key vault and the internal CA's CRLs live under the policy's state directory: one place for
/// every `keys`, `ca` and `audit` command and for the admin endpoint that serves the CRLs.
/// </summary>
internal static class VaultPaths
{
    public static string VaultDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "smime", "vault");

    /// <summary>The CRLs (public data), beside the vault rather than in it, so serving them never touches the vault.</summary>
    public static string CrlDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "smime", "crl");
}
