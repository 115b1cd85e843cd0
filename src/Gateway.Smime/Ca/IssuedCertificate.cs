using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>A mailbox certificate the CA issued and the vault escrowed with its key.</summary>
public sealed record IssuedCertificate(VaultEntryInfo Entry, string SerialNumber, Uri CrlUrl);
