using Gateway.Policy;

namespace Gateway.Host.Spool;

/// <summary>Where the spool and the trace log live under the policy's state directory (one place, used by run and the CLI).</summary>
internal static class SpoolPaths
{
    public static string QueueRoot(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "queue");

    public static string TraceDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "log");

    /// <summary>DMARC evaluations kept for the aggregate reports.</summary>
    public static string DmarcDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "dmarc");
}
