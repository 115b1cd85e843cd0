using Gateway.Policy;

namespace Gateway.Host.Spool;

/// <summary>Where the spool and the trace log live under the policy's state directory (one place, used by run and the CLI).</summary>
internal static class SpoolPaths
{
    public static string QueueRoot(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "queue");

    public static string TraceDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "log");

    /// <summary>DMARC evaluations kept for the aggregate reports.</summary>
    public static string DmarcDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "dmarc");

    /// <summary>The destinations' MTA-STS policies, cached across restarts (RFC 8461 5.1).</summary>
    public static string MtaStsDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "mta-sts");

    /// <summary>The greylist's triplets and allowed networks, kept across restarts.</summary>
    public static string GreylistDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "greylist");

    /// <summary>The TLS-RPT session counters of the days not yet reported (RFC 8460 4).</summary>
    public static string TlsRptDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "tlsrpt");

    /// <summary>The quarantine's own state (when the last digest went out); the items themselves are in the spool.</summary>
    public static string QuarantineDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "quarantine");

    /// <summary>Messages released from the quarantine with --learn, for `gateway spam train --ham`.</summary>
    public static string LearnHamDirectory(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "spam", "learn", "ham");

    /// <summary>The running gateway's local control channel (a Unix domain socket, owner only): `keys unseal|seal|status`.</summary>
    public static string ControlSocket(GatewayPolicy policy) => Path.Combine(policy.StateDirectory, "control.sock");
}
