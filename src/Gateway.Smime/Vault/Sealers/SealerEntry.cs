namespace Gateway.Smime.Vault.Sealers;

/// <summary>
/// One way to open the vault: the master key encrypted (AES-256-GCM) under a key-encryption key that the
/// sealer of <see cref="Kind"/> provides. <see cref="Label"/> tells the sealer which key: the share set
/// id, the key file's id, or token/key labels. Nonce and ciphertext are public; the tag is in Wrapped.
/// </summary>
internal sealed record SealerEntry(string Kind, string Label, byte[] Nonce, byte[] Wrapped)
{
    public const string Shamir = "shamir";
    public const string KeyFile = "key-file";
    public const string Pkcs11 = "pkcs11";

    /// <summary>Binds a wrapped key to its vault, sealer and label, so it cannot be moved to another.</summary>
    public static byte[] AssociatedData(string kind, string vaultId, string label) =>
        System.Text.Encoding.UTF8.GetBytes($"gateway-vault/v1 seal\n{kind}\n{vaultId}\n{label}");

    public string Describe() => $"{Kind}:{Label}";
}
