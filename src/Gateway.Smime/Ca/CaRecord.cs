using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>
/// ca/ca.json: the CA certificate in the clear and its PKCS#8 key sealed like a vault entry (AES-256-GCM under
/// a master-key subkey of its own purpose), with the vault id, CA id and certificate hash as associated data:
/// a CA file copied into another vault or given another certificate does not decrypt. The CRL base URL is
/// kept here so every certificate the CA issues points at the same CRL, whichever process issues it.
/// </summary>
internal sealed record CaRecord(string CaId, DateTimeOffset Created, Uri CrlBaseUrl, byte[] Certificate, byte[] Nonce, byte[] EncryptedKey)
{
    public const string KeyPurpose = "ca-key-encryption";
    private const string Format = "gateway-ca";
    private const int Version = 1;

    public Uri CrlUrl => new(CrlBaseUrl, CaId + ".crl");

    public static CaRecord Seal(string caId, DateTimeOffset created, Uri crlBaseUrl, byte[] certificate, ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> subkey, string vaultId)
    {
        var (nonce, encrypted) = KeyEnvelope.Seal(pkcs8, subkey, AssociatedData(vaultId, caId, certificate));
        return new CaRecord(caId, created, crlBaseUrl, certificate, nonce, encrypted);
    }

    /// <summary>The CA key as PKCS#8 in a pinned buffer; the caller zeroes it.</summary>
    public byte[] OpenKey(ReadOnlySpan<byte> subkey, string vaultId) =>
        KeyEnvelope.TryOpen(Nonce, EncryptedKey, subkey, AssociatedData(vaultId, CaId, Certificate))
            ?? throw new VaultIntegrityException($"the key of CA {CaId} does not decrypt: it was altered or belongs to another vault");

    public byte[] Serialize()
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteString("caId", CaId);
            writer.WriteString("created", Created.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("crlBaseUrl", CrlBaseUrl.AbsoluteUri);
            writer.WriteBase64String("certificate", Certificate);
            writer.WriteBase64String("nonce", Nonce);
            writer.WriteBase64String("key", EncryptedKey);
            writer.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    public static CaRecord Parse(byte[] file)
    {
        try
        {
            using var document = JsonDocument.Parse(file);
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format || root.GetProperty("version").GetInt32() != Version)
            {
                throw new VaultException($"ca.json is not a version {Version} CA record");
            }

            return new CaRecord(
                root.GetProperty("caId").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("created").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                new Uri(root.GetProperty("crlBaseUrl").GetString()!, UriKind.Absolute),
                root.GetProperty("certificate").GetBytesFromBase64(),
                root.GetProperty("nonce").GetBytesFromBase64(),
                root.GetProperty("key").GetBytesFromBase64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new VaultIntegrityException("ca.json is not a readable CA record", e);
        }
    }

    private static byte[] AssociatedData(string vaultId, string caId, byte[] certificate) =>
        Encoding.UTF8.GetBytes($"gateway-vault/v1 ca\n{vaultId}\n{caId}\n{Convert.ToHexStringLower(SHA256.HashData(certificate))}");
}
