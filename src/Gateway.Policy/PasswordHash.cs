using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Policy;

/// <summary>
/// Password hashes for the credentials file: PBKDF2-HMAC-SHA256 (RFC 8018 5.2) with a 16-octet random salt,
/// encoded as <c>$pbkdf2-sha256$i=&lt;iterations&gt;$&lt;salt base64&gt;$&lt;hash base64&gt;</c>.
/// </summary>
/// <remarks>
/// Passwords are hashed as their UTF-8 octets (what AUTH PLAIN carries, RFC 4616 2) without further
/// normalisation. <see cref="Verify"/> compares in constant time and returns false, never throws, for a
/// malformed encoding.
/// </remarks>
public static class PasswordHash
{
    /// <summary>OWASP Password Storage Cheat Sheet (2023) for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Lower bound accepted anywhere; below this a hash is too cheap to brute-force.</summary>
    public const int MinIterations = 1_000;

    /// <summary>Upper bound on a stored count, so a crafted credentials line cannot pin a CPU per login.</summary>
    public const int MaxIterations = 10_000_000;

    public const string Prefix = "$pbkdf2-sha256$";

    private const int SaltSize = 16;
    private const int HashSize = 32;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}i={iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(encoded, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>True when <paramref name="encoded"/> is a well-formed hash this class can verify.</summary>
    public static bool IsWellFormed(string encoded) => TryParse(encoded, out _, out _, out _);

    internal static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = [];
        hash = [];
        if (encoded is null || !encoded.StartsWith(Prefix, StringComparison.Ordinal) || encoded.Length > 512)
        {
            return false;
        }

        var parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !parts[0].StartsWith("i=", StringComparison.Ordinal))
        {
            return false;
        }

        var count = parts[0].AsSpan(2);
        if (count.Length is 0 or > 8
            || count[0] == '0'
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        // At least 8 octets of salt (RFC 8018 4.1) and a 16-64 octet derived key.
        return TryDecode(parts[1], 8, 64, out salt) && TryDecode(parts[2], 16, 64, out hash);
    }

    private static bool TryDecode(string text, int minLength, int maxLength, out byte[] bytes)
    {
        bytes = [];
        var buffer = new byte[(text.Length / 4 * 3) + 3];
        if (text.Length == 0 || !Convert.TryFromBase64String(text, buffer, out var written) || written < minLength || written > maxLength)
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
