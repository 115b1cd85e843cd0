using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// S/MIME with the organisation's escrowed keys (smime:): which outbound senders are signed, which recipient domains
/// get encrypted mail, whether inbound mail is decrypted and verified, and how the vault unseals unattended. The keys
/// live in the vault under the state directory; the policy never names a key.
/// </summary>
public sealed record SmimePolicy
{
    /// <summary>True when the policy has an smime: section; without one no S/MIME step runs.</summary>
    public bool Enabled { get; init; }

    public SmimeVaultPolicy Vault { get; init; } = new();

    public SmimeSignPolicy Sign { get; init; } = new();

    public SmimeEncryptPolicy Encrypt { get; init; } = new();

    /// <summary>Inbound (Auth)EnvelopedData for a recipient whose key is in the vault is decrypted (smime.decrypt).</summary>
    public bool Decrypt { get; init; } = true;

    public SmimeVerifyPolicy Verify { get; init; } = new();

    /// <summary>Where recipient certificates come from besides the vault and the certificate store (smime.directory).</summary>
    public SmimeDirectoryPolicy Directory { get; init; } = new();

    /// <summary>
    /// Encrypted mailing lists (smime.lists), keyed by the list address ("local@domain", compared without regard to
    /// case): mail to one is decrypted with the list's key and encrypted again for each member's certificate.
    /// </summary>
    public IReadOnlyDictionary<string, SmimeListPolicy> Lists { get; init; } = new Dictionary<string, SmimeListPolicy>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The encrypted list at <paramref name="address"/>, or null when it is not one.</summary>
    public SmimeListPolicy? ListFor(string address) =>
        Lists.TryGetValue(address ?? throw new ArgumentNullException(nameof(address)), out var list) ? list : null;
}

/// <summary>
/// One encrypted mailing list (smime.lists.ADDRESS): an address in one of our domains whose key is in the vault, and
/// its members. Lists do not nest: no member is itself a list, so an expansion never feeds another.
/// </summary>
public sealed record SmimeListPolicy
{
    public required Mailbox Address { get; init; }

    /// <summary>Members, in policy order, without duplicates; each gets the list's mail encrypted for their certificate.</summary>
    public required IReadOnlyList<Mailbox> Members { get; init; }
}

/// <summary>How the running gateway unseals its vault without an officer (smime.vault).</summary>
public sealed record SmimeVaultPolicy
{
    /// <summary>Absolute path of an unseal-key file (mode 0600) read at start; null: officers unseal.</summary>
    public string? UnsealKeyFile { get; init; }

    /// <summary>A PKCS#11 token that unseals the vault at start; null: none.</summary>
    public SmimePkcs11Policy? Pkcs11 { get; init; }
}

/// <summary>The token that seals the vault master key (smime.vault.pkcs11).</summary>
public sealed record SmimePkcs11Policy
{
    public required string Module { get; init; }

    public required string Token { get; init; }

    public const string DefaultKeyLabel = "gateway-vault";

    /// <summary>Label of the AES key on the token that wraps the master key.</summary>
    public string Key { get; init; } = DefaultKeyLabel;

    /// <summary>Absolute path of the file holding the user PIN (never the PIN itself in the policy).</summary>
    public required string PinFile { get; init; }
}

/// <summary>Outbound signing (smime.sign).</summary>
public sealed record SmimeSignPolicy
{
    /// <summary>Authors (RFC5322.From) whose outbound mail is signed: addresses, "@domain" or "*". Empty: nothing is signed.</summary>
    public IReadOnlyList<SenderPattern> Senders { get; init; } = [];

    /// <summary>Opaque (application/pkcs7-mime) instead of multipart/signed.</summary>
    public bool Opaque { get; init; }

    /// <summary>What happens to a selected sender's mail when neither the sender nor the domain has a key.</summary>
    public SmimeMissingKeyAction MissingKey { get; init; } = SmimeMissingKeyAction.Reject;
}

/// <summary>What happens to mail that must be signed when no key exists for it (smime.sign.missing_key).</summary>
public enum SmimeMissingKeyAction
{
    /// <summary>550 at the end of DATA: the sender learns at once.</summary>
    Reject,

    /// <summary>451 at the end of DATA: the sending server keeps it until a key is imported.</summary>
    Defer,

    /// <summary>Sent unsigned (logged).</summary>
    SendUnsigned,
}

/// <summary>Outbound encryption per recipient domain (smime.encrypt).</summary>
public sealed record SmimeEncryptPolicy
{
    /// <summary>For a domain not listed in <see cref="Domains"/>.</summary>
    public SmimeEncryptMode Default { get; init; } = SmimeEncryptMode.Never;

    /// <summary>Per recipient domain, canonical; a key starting with "." covers every subdomain.</summary>
    public IReadOnlyDictionary<string, SmimeEncryptMode> Domains { get; init; } = new Dictionary<string, SmimeEncryptMode>(StringComparer.Ordinal);

    /// <summary>The mode for one recipient domain: an exact entry, else the closest ".parent" entry, else the default.</summary>
    public SmimeEncryptMode ModeFor(string domain) => DomainMap.TryFind(Domains, domain, out var mode) ? mode : Default;
}

/// <summary>When outbound mail to a domain is encrypted.</summary>
public enum SmimeEncryptMode
{
    Never,

    /// <summary>Encrypted when every recipient's certificate is known; plaintext otherwise.</summary>
    WhenKnown,

    /// <summary>Encrypted, or refused: a recipient without a known certificate is refused at RCPT (never plaintext).</summary>
    Required,
}

/// <summary>Inbound signature verification (smime.verify).</summary>
public sealed record SmimeVerifyPolicy
{
    public bool Enabled { get; init; } = true;

    /// <summary>Absolute path of a PEM file of trust anchors; null: only the internal CA and the vault's chains.</summary>
    public string? TrustAnchors { get; init; }

    /// <summary>Certificates of valid signers are kept for encrypting replies (smime.verify.harvest).</summary>
    public bool Harvest { get; init; } = true;
}

/// <summary>Further sources of recipient certificates (smime.directory).</summary>
public sealed record SmimeDirectoryPolicy
{
    /// <summary>The organisation's LDAP directory, asked after the vault and the store; null: none.</summary>
    public LdapPolicy? Ldap { get; init; }
}
