namespace Gateway.Smime.Vault;

public sealed partial class KeyVault
{
    /// <summary>The vault directory; the internal CA keeps its state in a folder of it.</summary>
    internal string DirectoryPath => _directory;

    /// <summary>
    /// Runs <paramref name="action"/> with a subkey of the master key for one purpose (never the entries'
    /// purpose) and the vault id, under the vault's gate; the subkey is zeroed afterwards. Throws
    /// <see cref="VaultSealedException"/> while sealed. This is how the internal CA encrypts its own key
    /// with the same protection as the entries without the master key leaving this class.
    /// </summary>
    internal async Task<T> WithSubkeyAsync<T>(string purpose, Func<byte[], string, T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (master, record) = RequireUnsealed();
            var subkey = master.Derive(purpose, record.VaultId);
            try
            {
                return action(subkey, record.VaultId);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(subkey);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
