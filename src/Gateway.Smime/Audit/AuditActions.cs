namespace Gateway.Smime.Audit;

/// <summary>The actions the vault records; names are stable because verifiers and reports match on them.</summary>
public static class AuditActions
{
    public const string VaultInitialize = "vault.initialize";
    public const string VaultUnseal = "vault.unseal";
    public const string VaultUnsealRefused = "vault.unseal-refused";
    public const string VaultSeal = "vault.seal";
    public const string SealerAdd = "vault.sealer-add";
    public const string KeyGenerate = "key.generate";
    public const string KeyImport = "key.import";
    public const string KeyRecover = "key.recover";
    public const string KeyRecoverRefused = "key.recover-refused";
    public const string CaInitialize = "ca.initialize";
    public const string CaIssue = "ca.issue";
    public const string CaRevoke = "ca.revoke";
    public const string CaCrl = "ca.crl";
    public const string PolicyLoad = "policy.load";
    public const string PolicyChange = "policy.change";
}
