namespace Gateway.Host.Quarantine;

/// <summary>How a change to the quarantine names who made it, for the trace and the log.</summary>
internal static class QuarantineActor
{
    /// <summary>The user running the CLI (and who ran sudo, if anyone).</summary>
    public static string CommandLine()
    {
        var sudo = Environment.GetEnvironmentVariable("SUDO_USER");
        var who = sudo is null ? Environment.UserName : $"{Environment.UserName} (sudo by {sudo})";
        return $"{who} via gateway quarantine";
    }
}
