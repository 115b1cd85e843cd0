using System.CommandLine;
using System.Globalization;
using Gateway.Host.Control;
using Gateway.Smime.Vault;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Host.Cli;

/// <summary>
/// How a `keys` command unseals: officer shares on standard input (the default), an unseal-key file, or a PKCS#11
/// token. One option set and one reader for every command that unseals, in this process or in the running gateway.
/// </summary>
internal sealed record UnsealInputs(string? KeyFile, Pkcs11TokenOptions? Token)
{
    private const string KeyFileOption = "--unseal-key-file";
    private const string ModuleOption = "--pkcs11-module";
    private const string TokenOption = "--pkcs11-token";
    private const string KeyOption = "--pkcs11-key";
    private const string PinFileOption = "--pkcs11-pin-file";

    /// <summary>Neither a key file nor a token: officers type their shares.</summary>
    public bool UsesShares => KeyFile is null && Token is null;

    /// <summary>The options, fresh for each command that takes them.</summary>
    public static Option[] Options(string purpose) =>
    [
        new Option<string>(KeyFileOption) { HelpName = "FILE", Description = $"The unseal-key file ({purpose})." },
        new Option<string>(ModuleOption) { HelpName = "SO", Description = $"The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so ({purpose})." },
        new Option<string>(TokenOption) { HelpName = "LABEL", Description = "The PKCS#11 token's label." },
        new Option<string>(KeyOption) { HelpName = "LABEL", Description = $"The AES key's label on the token (default {VaultHostOptions.DefaultTokenKeyLabel})." },
        new Option<string>(PinFileOption) { HelpName = "FILE", Description = "A file holding the token's user PIN (never the PIN on the command line)." },
    ];

    /// <summary>The inputs the command line names; false with a usage error when the token options are incomplete.</summary>
    public static bool TryRead(CommandLine command, out UnsealInputs inputs, out string error)
    {
        inputs = new UnsealInputs(null, null);
        error = string.Empty;
        var module = command.Option(ModuleOption);
        var token = command.Option(TokenOption);
        var pinFile = command.Option(PinFileOption);
        if (module is null)
        {
            if (token is not null || pinFile is not null || command.Option(KeyOption) is not null)
            {
                error = $"{TokenOption}, {KeyOption} and {PinFileOption} need {ModuleOption}";
                return false;
            }

            inputs = new UnsealInputs(command.Option(KeyFileOption), null);
            return true;
        }

        if (token is null || pinFile is null)
        {
            error = $"{ModuleOption} needs {TokenOption} and {PinFileOption}";
            return false;
        }

        string pin;
        try
        {
            pin = Pkcs11PinFile.Read(pinFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return false;
        }

        inputs = new UnsealInputs(command.Option(KeyFileOption), new Pkcs11TokenOptions
        {
            ModulePath = module,
            TokenLabel = token,
            KeyLabel = command.Option(KeyOption) ?? VaultHostOptions.DefaultTokenKeyLabel,
            Pin = pin,
        });
        return true;
    }

    /// <summary>
    /// Up to <paramref name="threshold"/> shares, one per line (blank lines skipped); fewer at the end of the input,
    /// so the vault, not this reader, says how many are missing.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadSharesAsync(int threshold, CancellationToken cancellationToken)
    {
        var shares = new List<string>(threshold);
        while (shares.Count < threshold)
        {
            var prompt = string.Create(CultureInfo.InvariantCulture, $"share {shares.Count + 1} of {threshold}: ");
            var line = await SecretInput.ReadLineAsync(prompt, cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }

            if (!string.IsNullOrWhiteSpace(line))
            {
                shares.Add(line.Trim());
            }
        }

        return shares;
    }

    /// <summary>Unseals <paramref name="vault"/> in this process (for commands that use keys themselves).</summary>
    public async Task UnsealAsync(KeyVault vault, string actor, CancellationToken cancellationToken)
    {
        if (KeyFile is { } keyFile)
        {
            await vault.UnsealWithKeyFileAsync(keyFile, actor, cancellationToken).ConfigureAwait(false);
        }
        else if (Token is { } token)
        {
            await vault.UnsealWithTokenAsync(token, actor, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var status = await vault.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (!status.IsInitialized)
            {
                throw new VaultException("there is no key vault yet (gateway keys init creates one)");
            }

            await vault.UnsealWithSharesAsync(await ReadSharesAsync(status.Threshold, cancellationToken).ConfigureAwait(false), actor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The request that unseals the running gateway: the shares read for <paramref name="threshold"/>, the key
    /// file's full path, or the token; no shares at all means "the way the gateway is configured to unseal".
    /// </summary>
    public async Task<UnsealRequest?> ToRequestAsync(int threshold, CancellationToken cancellationToken)
    {
        if (KeyFile is { } keyFile)
        {
            return new UnsealRequest(null, Path.GetFullPath(keyFile), null);
        }

        if (Token is { } token)
        {
            return new UnsealRequest(null, null, new TokenRequest(token.ModulePath, token.TokenLabel, token.KeyLabel, token.Pin));
        }

        var shares = await ReadSharesAsync(threshold, cancellationToken).ConfigureAwait(false);
        return shares.Count == 0 ? null : new UnsealRequest(shares, null, null);
    }

    public override string ToString() => UsesShares ? "officer shares" : KeyFile is not null ? $"unseal-key file {KeyFile}" : Token!.ToString();
}
