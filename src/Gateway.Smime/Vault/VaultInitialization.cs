using Gateway.Smime.Escrow;

namespace Gateway.Smime.Vault;

/// <summary>
/// The result of creating a vault: the officers' shares, shown once and never stored. Hand each share
/// to its officer (<see cref="ShamirShare.Encode"/>) and dispose this object to zero them.
/// </summary>
public sealed class VaultInitialization : IDisposable
{
    internal VaultInitialization(string vaultId, IReadOnlyList<ShamirShare> shares)
    {
        VaultId = vaultId;
        Shares = shares;
    }

    public string VaultId { get; }

    public IReadOnlyList<ShamirShare> Shares { get; }

    public void Dispose()
    {
        foreach (var share in Shares)
        {
            share.Dispose();
        }
    }

    public override string ToString() => $"vault {VaultId} with {Shares.Count} shares";
}
