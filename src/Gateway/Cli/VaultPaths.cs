using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>Where the S/MIME key vault lives under the policy's state directory (one place, used by run and the CLI).</summary>
internal static class VaultPaths
{
    public static string VaultDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "smime", "vault");
}
