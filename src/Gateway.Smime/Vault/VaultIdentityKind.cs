namespace Gateway.Smime.Vault;

/// <summary>A key belongs to one mailbox, or to a whole domain (the fallback signer for its senders).</summary>
public enum VaultIdentityKind
{
    User,
    Domain,
}
