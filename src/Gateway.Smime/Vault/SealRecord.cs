using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Smime.Vault;

/// <summary>
/// seal.json: which sealers protect the vault, each with the master key wrapped for it, plus the share
/// parameters. The file is <c>{"record":{…},"mac":"…"}</c>, the MAC being HMAC-SHA256 over the exact
/// bytes of the record under a key derived from the master key. Before unsealing, the record is only used
/// to find the entry a sealer needs; right after unwrapping, the MAC is checked, so a sealer removed,
/// added or altered on disk is detected before the vault opens.
/// </summary>
internal sealed record SealRecord(string VaultId, DateTimeOffset Created, string ShareSetId, int Threshold, int ShareCount, IReadOnlyList<SealerEntry> Sealers)
{
    public const int Version = 1;
    private const string Format = "gateway-vault-seal";

    public SealerEntry? Find(string kind, string? label = null) =>
        Sealers.FirstOrDefault(s => s.Kind == kind && (label is null || s.Label == label));

    public SealRecord WithSealer(SealerEntry entry) =>
        this with { Sealers = [.. Sealers.Where(s => !(s.Kind == entry.Kind && s.Label == entry.Label)), entry] };

    public byte[] Serialize(MasterKey masterKey)
    {
        var body = SerializeBody();
        var macKey = masterKey.Derive("seal-record-mac", VaultId);
        try
        {
            using var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false }))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("record");
                writer.WriteRawValue(body);
                writer.WriteString("mac", Convert.ToHexStringLower(HMACSHA256.HashData(macKey, body)));
                writer.WriteEndObject();
            }

            output.WriteByte((byte)'\n');
            return output.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    /// <summary>Parses seal.json without authenticating it; <see cref="Authenticate"/> must follow the unwrap.</summary>
    public static (SealRecord Record, byte[] Body, byte[] Mac) Parse(byte[] file)
    {
        try
        {
            using var document = JsonDocument.Parse(file);
            var recordElement = document.RootElement.GetProperty("record");
            var body = Encoding.UTF8.GetBytes(recordElement.GetRawText());
            var mac = Convert.FromHexString(document.RootElement.GetProperty("mac").GetString()!);
            if (recordElement.GetProperty("format").GetString() != Format || recordElement.GetProperty("version").GetInt32() != Version)
            {
                throw new VaultException($"seal record is not a version {Version} {Format}");
            }

            var share = recordElement.GetProperty("shares");
            var sealers = recordElement.GetProperty("sealers").EnumerateArray().Select(s => new SealerEntry(
                s.GetProperty("kind").GetString()!,
                s.GetProperty("label").GetString()!,
                s.GetProperty("nonce").GetBytesFromBase64(),
                s.GetProperty("wrapped").GetBytesFromBase64())).ToList();
            var record = new SealRecord(
                recordElement.GetProperty("vaultId").GetString()!,
                DateTimeOffset.Parse(recordElement.GetProperty("created").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                share.GetProperty("setId").GetString()!,
                share.GetProperty("threshold").GetInt32(),
                share.GetProperty("count").GetInt32(),
                sealers);
            return (record, body, mac);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new VaultIntegrityException("seal record is malformed", e);
        }
    }

    public static void Authenticate(byte[] body, byte[] mac, MasterKey masterKey, string vaultId)
    {
        var macKey = masterKey.Derive("seal-record-mac", vaultId);
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(macKey, body), mac))
            {
                throw new VaultIntegrityException("seal record was changed on disk (its MAC does not verify)");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    private byte[] SerializeBody()
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteString("vaultId", VaultId);
            writer.WriteString("created", Created.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteStartObject("shares");
            writer.WriteString("setId", ShareSetId);
            writer.WriteNumber("threshold", Threshold);
            writer.WriteNumber("count", ShareCount);
            writer.WriteEndObject();
            writer.WriteStartArray("sealers");
            foreach (var sealer in Sealers)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", sealer.Kind);
                writer.WriteString("label", sealer.Label);
                writer.WriteBase64String("nonce", sealer.Nonce);
                writer.WriteBase64String("wrapped", sealer.Wrapped);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return output.ToArray();
    }
}
