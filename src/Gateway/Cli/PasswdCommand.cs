using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway passwd USER`: reads one password line from standard input and prints "USER:hash" for the
/// credentials file, so plaintext passwords never need to be written anywhere.
/// </summary>
internal static class PasswdCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        var user = command.Arguments[0];
        if (user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsWhiteSpace) || user.Any(char.IsControl))
        {
            await Console.Error.WriteLineAsync("gateway: a user name may not contain ':', spaces or control characters").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var password = await Console.In.ReadLineAsync().ConfigureAwait(false);
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("gateway: no password on standard input").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await Console.Out.WriteLineAsync($"{user}:{PasswordHash.Create(password)}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
