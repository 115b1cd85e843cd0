using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Gateway.Smime.Vault;

/// <summary>
/// One entry file (entries/&lt;hash of identity&gt;.json): the certificate chain in the clear (public, and
/// needed while sealed) and the PKCS#8 private key under AES-256-GCM with the entry key derived from the
/// master key, a fresh nonce per write, and as associated data the vault id, the identity and a hash of
/// the chain: an entry copied to another file or identity, or given another certificate, fails to decrypt.
/// The certificates themselves are not authenticated until the key is used; they are public data that
/// the pipeline validates as a chain anyway.
/// </summary>
internal sealed record VaultEntry(VaultIdentity Identity, string Origin, DateTimeOffset Created, IReadOnlyList<byte[]> Certificates, byte[] Nonce, byte[] EncryptedKey)
{
    private const string Format = "gateway-vault-entry";
    private const int Version = 1;

    public static VaultEntry Seal(VaultIdentity identity, string origin, DateTimeOffset created, IReadOnlyList<byte[]> certificates, ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> entryKey, string vaultId)
    {
        var (nonce, encrypted) = KeyEnvelope.Seal(pkcs8, entryKey, AssociatedData(vaultId, identity, certificates));
        return new VaultEntry(identity, origin, created, certificates, nonce, encrypted);
    }

    /// <summary>The PKCS#8 private key in a pinned buffer; the caller zeroes it.</summary>
    public byte[] OpenKey(ReadOnlySpan<byte> entryKey, string vaultId) =>
        KeyEnvelope.TryOpen(Nonce, EncryptedKey, entryKey, AssociatedData(vaultId, Identity, Certificates))
            ?? throw new VaultIntegrityException($"the entry for {Identity} does not decrypt: it was altered, moved from another identity, or belongs to another vault");

    public X509Certificate2 LoadLeaf() => X509CertificateLoader.LoadCertificate(Certificates[0]);

    public X509Certificate2Collection LoadChain() => [.. Certificates.Select(X509CertificateLoader.LoadCertificate)];

    public byte[] Serialize()
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteString("identity", Identity.Name);
            writer.WriteString("origin", Origin);
            writer.WriteString("created", Created.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteStartArray("certificates");
            foreach (var certificate in Certificates)
            {
                writer.WriteBase64StringValue(certificate);
            }

            writer.WriteEndArray();
            writer.WriteBase64String("nonce", Nonce);
            writer.WriteBase64String("key", EncryptedKey);
            writer.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    public static VaultEntry Parse(byte[] file, string fileName)
    {
        try
        {
            using var document = JsonDocument.Parse(file);
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format || root.GetProperty("version").GetInt32() != Version)
            {
                throw new VaultException($"{fileName} is not a version {Version} vault entry");
            }

            var certificates = root.GetProperty("certificates").EnumerateArray().Select(c => c.GetBytesFromBase64()).ToList();
            if (certificates.Count == 0)
            {
                throw new VaultIntegrityException($"{fileName} holds no certificate");
            }

            return new VaultEntry(
                VaultIdentity.Parse(root.GetProperty("identity").GetString()!),
                root.GetProperty("origin").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("created").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                certificates,
                root.GetProperty("nonce").GetBytesFromBase64(),
                root.GetProperty("key").GetBytesFromBase64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new VaultIntegrityException($"{fileName} is not a readable vault entry", e);
        }
    }

    public VaultEntryInfo Describe()
    {
        using var leaf = LoadLeaf();
        return new VaultEntryInfo(
            Identity,
            leaf.Subject,
            Convert.ToHexStringLower(leaf.GetCertHash(HashAlgorithmName.SHA256)),
            new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            leaf.PublicKey.Oid.FriendlyName ?? leaf.PublicKey.Oid.Value ?? "unknown",
            Origin,
            Created);
    }

    private static byte[] AssociatedData(string vaultId, VaultIdentity identity, IReadOnlyList<byte[]> certificates)
    {
        using var chainHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var certificate in certificates)
        {
            // Length-prefixed so two chains never hash alike by moving a boundary.
            chainHash.AppendData(BitConverter.GetBytes(certificate.Length));
            chainHash.AppendData(certificate);
        }

        return Encoding.UTF8.GetBytes($"gateway-vault/v1 entry\n{vaultId}\n{identity.Name}\n{Convert.ToHexStringLower(chainHash.GetHashAndReset())}");
    }
}
