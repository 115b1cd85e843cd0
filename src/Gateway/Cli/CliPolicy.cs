using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>The policy for the commands that work next to a gateway (queue, trace, dmarc): loaded, or its errors printed.</summary>
internal static class CliPolicy
{
    /// <summary>The policy, or null after writing every problem as file:line:column: message to standard error.</summary>
    public static async Task<GatewayPolicy?> LoadAsync(CommandLine command)
    {
        var loaded = PolicyLoader.Load(command.ConfigPath);
        if (loaded.Success)
        {
            return loaded.Policy!;
        }

        foreach (var error in loaded.Errors)
        {
            await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
        }

        return null;
    }
}
