using System.CommandLine;
using Gateway.Host.Cli;

namespace Gateway.Host;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Before anything can hold a key: vault keys, recovered PKCS#12 and unseal shares never reach a core file.
        Gateway.Smime.Vault.CoreDumps.Disable();

        var parsed = GatewayCommands.Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A usage error: what is wrong, then the help of the command it concerns, on standard error, exit 2.
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"gateway: {error.Message}").ConfigureAwait(false);
            }

            HelpCommand.Execute(parsed.CommandResult.Command, Console.Error);
            return ExitCodes.Usage;
        }

        // The gateway handles SIGTERM and Ctrl-C itself (a graceful drain of up to 20 s): System.CommandLine must not.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }
}
