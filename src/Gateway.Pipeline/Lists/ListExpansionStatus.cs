namespace Gateway.Pipeline.Lists;

public enum ListExpansionStatus
{
    /// <summary>The copy is encrypted for every member with a certificate (at least one).</summary>
    Expanded,

    /// <summary>The list's copy is still encrypted and the vault is sealed: try again later, send nothing now.</summary>
    VaultSealed,

    /// <summary>The list's copy is encrypted and does not decrypt with the vault's keys (no key, wrong key, damaged).</summary>
    Undecryptable,

    /// <summary>No member has a certificate: nothing can be sent to anyone.</summary>
    NoMemberReachable,
}
