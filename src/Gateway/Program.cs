using Gateway.Host.Cli;

namespace Gateway.Host;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = CommandLine.Parse(args);
        if (parsed.Error is not null)
        {
            await Console.Error.WriteLineAsync($"gateway: {parsed.Error}").ConfigureAwait(false);
            await Console.Error.WriteAsync(CommandLine.Usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return parsed.Command switch
        {
            "run" => await RunCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "check" => CheckCommand.Execute(parsed),
            "passwd" => await PasswdCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "dkim" => await DkimCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "dmarc" => await DmarcCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "queue" => await QueueCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "trace" => await TraceCommand.ExecuteAsync(parsed).ConfigureAwait(false),
            "version" => VersionCommand.Execute(),
            _ => HelpCommand.Execute(),
        };
    }
}
