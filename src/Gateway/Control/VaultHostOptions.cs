using Gateway.Smime.Vault.Sealers;

namespace Gateway.Host.Control;

/// <summary>
/// How the running gateway unseals its key vault without officers: an unseal-key file, a PKCS#11 token, or
/// neither (the default: the vault stays sealed until `gateway keys unseal`). The policy's smime.vault section
/// is to fill this; until then <see cref="FromEnvironment"/> reads the same settings from the environment.
/// </summary>
internal sealed record VaultHostOptions(string? UnsealKeyFile = null, Pkcs11TokenOptions? Token = null)
{
    public static VaultHostOptions None { get; } = new();

    public bool AutoUnseal => UnsealKeyFile is not null || Token is not null;

    /// <summary>
    /// GATEWAY_VAULT_UNSEAL_KEY_FILE, or GATEWAY_VAULT_PKCS11_MODULE, _TOKEN, _KEY (default "gateway-vault") and
    /// _PIN_FILE. The PIN is read from its file here, once.
    /// </summary>
    public static VaultHostOptions FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? Get(string name) => variable(name) is { Length: > 0 } value ? value : null;
        var keyFile = Get("GATEWAY_VAULT_UNSEAL_KEY_FILE");
        var module = Get("GATEWAY_VAULT_PKCS11_MODULE");
        if (module is null)
        {
            return new VaultHostOptions(keyFile);
        }

        var token = Get("GATEWAY_VAULT_PKCS11_TOKEN") ?? throw new InvalidOperationException("GATEWAY_VAULT_PKCS11_MODULE needs GATEWAY_VAULT_PKCS11_TOKEN");
        var pinFile = Get("GATEWAY_VAULT_PKCS11_PIN_FILE") ?? throw new InvalidOperationException("GATEWAY_VAULT_PKCS11_MODULE needs GATEWAY_VAULT_PKCS11_PIN_FILE");
        return new VaultHostOptions(keyFile, new Pkcs11TokenOptions
        {
            ModulePath = module,
            TokenLabel = token,
            KeyLabel = Get("GATEWAY_VAULT_PKCS11_KEY") ?? DefaultTokenKeyLabel,
            Pin = Pkcs11PinFile.Read(pinFile),
            CreateKeyIfMissing = false,
        });
    }

    /// <summary>The policy's smime.vault settings; when it names neither a key file nor a token, the environment's.</summary>
    public static VaultHostOptions From(Gateway.Policy.GatewayPolicy policy, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var settings = policy.Smime.Vault;
        if (settings.UnsealKeyFile is null && settings.Pkcs11 is null)
        {
            return FromEnvironment(variable);
        }

        return new VaultHostOptions(settings.UnsealKeyFile, settings.Pkcs11 is not { } token ? null : new Pkcs11TokenOptions
        {
            ModulePath = token.Module,
            TokenLabel = token.Token,
            KeyLabel = token.Key,
            Pin = Pkcs11PinFile.Read(token.PinFile),
            CreateKeyIfMissing = false,
        });
    }

    /// <summary>The AES key's label on the token when none is given (init and unseal agree on it).</summary>
    public const string DefaultTokenKeyLabel = "gateway-vault";

    // The PIN stays out of logs and exception texts.
    public override string ToString() => $"vault auto-unseal: key file {UnsealKeyFile ?? "none"}, token {Token?.ToString() ?? "none"}";
}
