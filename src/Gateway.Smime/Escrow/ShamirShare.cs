using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Smime.Escrow;

/// <summary>
/// One officer's share: which split it belongs to (set id), how many shares that split needs (threshold),
/// its x coordinate (index, 1..255) and its y bytes. As text:
/// <c>gw-share-&lt;set id&gt;-&lt;threshold&gt;-&lt;index&gt;-&lt;base32 value&gt;-&lt;check&gt;</c>, where the check is
/// the first 40 bits of SHA-256 over everything before it, so a mistyped character is reported as such
/// instead of silently yielding a wrong key. Dispose to zero the value.
/// </summary>
public sealed class ShamirShare : IDisposable
{
    private const string Prefix = "gw-share";
    private const int SetIdLength = 8;
    private const int CheckBytes = 5;
    private readonly byte[] _value;

    internal ShamirShare(string setId, int threshold, int index, byte[] value)
    {
        SetId = setId;
        Threshold = threshold;
        Index = index;
        _value = value;
    }

    /// <summary>Eight hex digits naming the split; shares of different splits never combine.</summary>
    public string SetId { get; }

    public int Threshold { get; }

    public int Index { get; }

    internal ReadOnlySpan<byte> Value => _value;

    /// <summary>The text an officer writes down. It is the secret itself: print it once, never log it.</summary>
    public string Encode()
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{SetId}-{Threshold}-{Index}-{Base32.Encode(_value)}");
        return $"{body}-{Checksum(body)}";
    }

    /// <summary>
    /// Reads a typed share: case and white space are ignored (officers copy from paper). Every problem
    /// is a <see cref="ShareException"/> that names the part at fault, never the share's text.
    /// </summary>
    public static ShamirShare Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var compact = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact.Append(char.ToLowerInvariant(c));
            }
        }

        var normalized = compact.ToString();
        var parts = normalized.Split('-');
        if (parts.Length != 7 || parts[0] != "gw" || parts[1] != "share")
        {
            throw new ShareException("not a share: expected gw-share-<set>-<threshold>-<index>-<value>-<check>");
        }

        var body = normalized[..normalized.LastIndexOf('-')];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Checksum(body)), Encoding.ASCII.GetBytes(parts[6])))
        {
            throw new ShareException("share checksum does not match: a character was mistyped or left out");
        }

        // The checksum passed, so what follows only fails for shares we did not write.
        if (parts[2].Length != SetIdLength || !parts[2].All(Uri.IsHexDigit))
        {
            throw new ShareException("share set id must be 8 hex digits");
        }

        if (!int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) || threshold is < 2 or > 255)
        {
            throw new ShareException("share threshold must be 2..255");
        }

        if (!int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index is < 1 or > 255)
        {
            throw new ShareException("share index must be 1..255");
        }

        if (!Base32.TryDecode(parts[5], out var value) || value.Length == 0)
        {
            throw new ShareException("share value is not base32");
        }

        return new ShamirShare(parts[2], threshold, index, value);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_value);

    /// <summary>Names the share without its value, so a share can appear in a message or log.</summary>
    public override string ToString() => $"share {Index} of set {SetId} (threshold {Threshold})";

    private static string Checksum(string body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(body), hash);
        return Base32.Encode(hash[..CheckBytes]);
    }
}
