namespace Gateway.Host.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The policy (or another input the command read) is invalid, or the gateway failed.</summary>
    public const int Failure = 1;

    /// <summary>Unknown command or option (the BSD sysexits convention for usage errors is 64; 2 is what getopt tools use).</summary>
    public const int Usage = 2;
}
