namespace Gateway.Host.Cli;

internal static class HelpCommand
{
    public static int Execute()
    {
        Console.Out.Write(CommandLine.Usage);
        return ExitCodes.Ok;
    }
}
