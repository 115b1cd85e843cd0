using System.Text;

namespace Gateway.Host.Cli;

/// <summary>
/// One secret line (a share, a password) from standard input. From a pipe it is read as is; at a terminal the
/// prompt goes to standard error and nothing typed is echoed, so shares never stay on the screen.
/// </summary>
internal static class SecretInput
{
    // Far above a share (~90 characters) or a passphrase; a longer line is not one of them.
    private const int MaxLength = 4096;

    /// <summary>The line, or null at the end of the input.</summary>
    public static async Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            var line = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            return line is { Length: > MaxLength } ? throw new IOException($"an input line is longer than {MaxLength} characters") : line;
        }

        await Console.Error.WriteAsync(prompt).ConfigureAwait(false);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar) && text.Length < MaxLength)
            {
                text.Append(key.KeyChar);
            }
        }

        await Console.Error.WriteLineAsync().ConfigureAwait(false);
        return text.ToString();
    }
}
