using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>
/// ca/index.json, the CA's database (as openssl's index.txt): every certificate issued, its revocation if
/// any, and the last CRL number. Rewritten whole and atomically (temp, fsync, rename, directory fsync) on
/// every change, under the CA lock, so a revocation is durable before it is reported and CRL numbers never
/// repeat, even across a crash.
/// </summary>
internal sealed class CaIndex
{
    private const string Format = "gateway-ca-index";
    private const int Version = 1;

    private readonly List<Entry> _entries;

    private CaIndex(long crlNumber, List<Entry> entries)
    {
        CrlNumber = crlNumber;
        _entries = entries;
    }

    /// <summary>The number of the last CRL written (RFC 5280 5.2.3: monotonically increasing).</summary>
    public long CrlNumber { get; set; }

    public IEnumerable<Revocation> Revocations => _entries
        .Where(e => e.RevokedAt is not null)
        .Select(e => new Revocation(e.Serial, e.Identity, e.RevokedAt!.Value, e.Reason));

    public static CaIndex Empty() => new(0, []);

    public void AddIssued(string serial, string identity, DateTimeOffset notAfter) =>
        _entries.Add(new Entry(serial, identity, notAfter, null, X509RevocationReason.Unspecified));

    public string? FindIdentity(string serial) => _entries.Find(e => e.Serial == serial)?.Identity;

    /// <summary>Marks a certificate revoked; false when it was already revoked.</summary>
    public bool Revoke(string serial, DateTimeOffset at, X509RevocationReason reason)
    {
        var index = _entries.FindIndex(e => e.Serial == serial);
        if (_entries[index].RevokedAt is not null)
        {
            return false;
        }

        _entries[index] = _entries[index] with { RevokedAt = at, Reason = reason };
        return true;
    }

    /// <summary>Lower-case hex without separators or leading zeros, as serials are kept and compared.</summary>
    public static string CanonicalSerial(string text)
    {
        var hex = text.Trim().Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        hex = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        return hex.Length > 0 && hex.All(char.IsAsciiHexDigit) ? hex.TrimStart('0') : throw new FormatException("a serial number is hexadecimal");
    }

    public byte[] Serialize()
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteNumber("crlNumber", CrlNumber);
            writer.WriteStartArray("issued");
            foreach (var entry in _entries)
            {
                writer.WriteStartObject();
                writer.WriteString("serial", entry.Serial);
                writer.WriteString("identity", entry.Identity);
                writer.WriteString("notAfter", Text(entry.NotAfter));
                if (entry.RevokedAt is { } revoked)
                {
                    writer.WriteString("revoked", Text(revoked));
                    writer.WriteString("reason", entry.Reason.ToString());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    public static CaIndex Parse(byte[] file)
    {
        try
        {
            using var document = JsonDocument.Parse(file);
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format || root.GetProperty("version").GetInt32() != Version)
            {
                throw new VaultException($"ca/index.json is not a version {Version} CA index");
            }

            var entries = root.GetProperty("issued").EnumerateArray().Select(e => new Entry(
                e.GetProperty("serial").GetString()!,
                e.GetProperty("identity").GetString()!,
                Time(e.GetProperty("notAfter").GetString()!),
                e.TryGetProperty("revoked", out var revoked) ? Time(revoked.GetString()!) : null,
                e.TryGetProperty("reason", out var reason) ? Enum.Parse<X509RevocationReason>(reason.GetString()!) : X509RevocationReason.Unspecified)).ToList();
            return new CaIndex(root.GetProperty("crlNumber").GetInt64(), entries);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new VaultIntegrityException("ca/index.json is not a readable CA index", e);
        }
    }

    private static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private sealed record Entry(string Serial, string Identity, DateTimeOffset NotAfter, DateTimeOffset? RevokedAt, X509RevocationReason Reason);
}
