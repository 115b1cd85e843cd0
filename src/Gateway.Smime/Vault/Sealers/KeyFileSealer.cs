using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Smime.Vault.Sealers;

/// <summary>
/// The unattended unseal key: 32 random bytes in a file (<c>gateway-vault-unseal-key v1 &lt;base64&gt;</c>)
/// so an appliance can restart without officers. The trade-off: whoever reads this file and the vault
/// directory has every escrowed key, so it must live on another medium (a TPM-sealed or removable
/// volume) and be readable by the gateway user only: a file with any group or other permission bit is
/// refused, as ssh refuses a private key readable by others.
/// </summary>
internal static class KeyFileSealer
{
    private const string Header = "gateway-vault-unseal-key v1 ";
    private const int KeyLength = 32;

    /// <summary>Writes a new key file (never over an existing one) and returns its key; the caller zeroes it.</summary>
    public static byte[] Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        var encoded = new byte[Header.Length + Base64.GetMaxEncodedToUtf8Length(KeyLength) + 1];
        try
        {
            Encoding.ASCII.GetBytes(Header).CopyTo(encoded, 0);
            Base64.EncodeToUtf8(key, encoded.AsSpan(Header.Length), out _, out var written);
            encoded[Header.Length + written] = (byte)'\n';
            using (var stream = new FileStream(path, AtomicFile.OwnerOnly(FileMode.CreateNew)))
            {
                stream.Write(encoded, 0, Header.Length + written + 1);
                stream.Flush(flushToDisk: true);
            }

            NativeMethods.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return key;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }
    }

    /// <summary>Reads the key after checking the file is private; the caller zeroes it.</summary>
    public static byte[] Read(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode OthersOrGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & OthersOrGroup) != 0)
            {
                throw new VaultException($"unseal key file '{path}' is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it");
            }
        }

        var content = File.ReadAllBytes(path);
        var key = new byte[KeyLength];
        try
        {
            var text = content.AsSpan().TrimEnd("\r\n "u8);
            if (!text.StartsWith(Encoding.ASCII.GetBytes(Header))
                || Base64.DecodeFromUtf8(text[Header.Length..], key, out _, out var decoded) != System.Buffers.OperationStatus.Done
                || decoded != KeyLength)
            {
                throw new VaultException($"'{path}' is not a gateway unseal key file");
            }

            return key;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    /// <summary>Names a key without revealing it, so the seal record can say which file opens it.</summary>
    public static string KeyId(ReadOnlySpan<byte> key)
    {
        var input = new byte[key.Length + 1];
        key.CopyTo(input.AsSpan(1));
        input[0] = 0x4B;
        var id = Convert.ToHexStringLower(SHA256.HashData(input))[..16];
        CryptographicOperations.ZeroMemory(input);
        return id;
    }
}
