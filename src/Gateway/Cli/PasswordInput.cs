namespace Gateway.Host.Cli;

/// <summary>A PKCS#12 password from `--password-file` or the next line of standard input, never from the command line (ps shows argv).</summary>
internal static class PasswordInput
{
    public const string Option = "--password-file";

    // A password file holds one line; a larger file is the wrong file.
    private const long MaxFileBytes = 4096;

    /// <summary>The password (its line end removed), or null when standard input ended first.</summary>
    public static async Task<string?> ReadAsync(CommandLine command, string prompt, CancellationToken cancellationToken)
    {
        if (command.Option(Option) is { } path)
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                throw new IOException($"the password file '{path}' is longer than {MaxFileBytes} bytes");
            }

            return (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
        }

        return await SecretInput.ReadLineAsync(prompt, cancellationToken).ConfigureAwait(false);
    }
}
