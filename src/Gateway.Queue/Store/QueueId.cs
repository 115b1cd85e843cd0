using System.Security.Cryptography;

namespace Gateway.Queue;

/// <summary>
/// Queue ids: 16 characters of lower-case base32hex (RFC 4648 7, whose alphabet keeps sort order) over
/// 80 bits = 48 bits of Unix milliseconds followed by 32 random bits. Sorting ids sorts by arrival time.
/// </summary>
public static class QueueId
{
    public const int Length = 16;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";

    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var milliseconds = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFFUL;
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        var value = ((UInt128)milliseconds << 32) | BitConverter.ToUInt32(random);
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = Alphabet[(int)((value >> (75 - (5 * i))) & 31)];
        }

        return new string(chars);
    }

    /// <summary>True for a well-formed id. Ids from the command line pass here before they name a file.</summary>
    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'v')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>When the id was made (its top 48 bits are Unix milliseconds), or null for a malformed id.</summary>
    public static DateTimeOffset? TimestampOf(string? id)
    {
        if (!IsValid(id))
        {
            return null;
        }

        UInt128 value = 0;
        foreach (var c in id!)
        {
            value = (value << 5) | (uint)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        var milliseconds = (long)(ulong)(value >> 32);
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }
}
