using System.Reflection;

namespace Gateway.Host.Cli;

/// <summary>
/// Where the gateway looks for its policy and where `gateway init` puts a new policy set and its state. A developer
/// build works from the repository (policies/gateway.yaml, state under ./var as the shipped policy says); the
/// appliance build (`dotnet publish -p:GatewayLayout=appliance`, appliance/publish.sh) uses the paths admins expect:
/// policies in /etc/gateway, state in /var/lib/gateway, the same in the package, the container and the VM.
/// </summary>
internal sealed record GatewayLayout(string ConfigDirectory, string StateDirectory)
{
    public static GatewayLayout Developer { get; } = new("policies", "../var");

    public static GatewayLayout Appliance { get; } = new("/etc/gateway", "/var/lib/gateway");

    /// <summary>The layout this executable was built for (the GatewayLayout assembly metadata).</summary>
    public static GatewayLayout Current { get; } = IsApplianceBuild() ? Appliance : Developer;

    public const string PolicyFileName = "gateway.yaml";

    public string DefaultConfigPath => ConfigDirectory + "/" + PolicyFileName;

    private static bool IsApplianceBuild() =>
        typeof(GatewayLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Any(a => a.Key == "GatewayLayout" && a.Value == "appliance");
}
