using System.Security.Cryptography;

namespace Gateway.Smtp.Server.Listeners;

/// <summary>
/// Short unique session ids: a random 40-bit prefix chosen per server instance (so ids from restarts and from
/// other nodes do not collide in merged logs) followed by a counter, both in lower-case base32.
/// </summary>
internal sealed class SessionIdGenerator
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly string _prefix;
    private long _counter;

    public SessionIdGenerator()
    {
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        ulong value = 0;
        foreach (var b in random)
        {
            value = (value << 8) | b;
        }

        _prefix = Encode(value, 8);
    }

    public string Next()
    {
        var n = (ulong)Interlocked.Increment(ref _counter);
        return _prefix + Encode(n, 0);
    }

    private static string Encode(ulong value, int minDigits)
    {
        Span<char> digits = stackalloc char[16];
        var length = 0;
        do
        {
            digits[length++] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        while (value != 0 || length < minDigits);

        digits[..length].Reverse();
        return new string(digits[..length]);
    }
}
