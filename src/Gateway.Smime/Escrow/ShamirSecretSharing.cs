using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Smime.Escrow;

/// <summary>
/// Shamir's (M, N) threshold scheme over GF(256), byte by byte: each secret byte is the constant term of
/// its own random polynomial of degree M−1, and share i holds every polynomial's value at x = i. Any M
/// shares determine the polynomials (Lagrange interpolation at 0); M−1 shares are consistent with every
/// possible secret, so they say nothing about it.
/// </summary>
public static class ShamirSecretSharing
{
    public const int MaxShares = 255;

    /// <summary>Splits <paramref name="secret"/> into <paramref name="shareCount"/> shares, any <paramref name="threshold"/> of which recombine it.</summary>
    public static IReadOnlyList<ShamirShare> Split(ReadOnlySpan<byte> secret, int threshold, int shareCount)
    {
        if (secret.IsEmpty)
        {
            throw new ArgumentException("the secret is empty", nameof(secret));
        }

        // One share would be the secret itself; x is one byte and 0 is the secret's own coordinate.
        if (threshold < 2 || threshold > shareCount || shareCount > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "need 2 <= threshold <= shares <= 255");
        }

        var setId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var values = new byte[shareCount][];
        for (var i = 0; i < shareCount; i++)
        {
            values[i] = new byte[secret.Length];
        }

        var coefficients = new byte[threshold];
        try
        {
            for (var b = 0; b < secret.Length; b++)
            {
                coefficients[0] = secret[b];
                RandomNumberGenerator.Fill(coefficients.AsSpan(1));
                for (var i = 0; i < shareCount; i++)
                {
                    values[i][b] = Evaluate(coefficients, (byte)(i + 1));
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }

        return [.. values.Select((value, i) => new ShamirShare(setId, threshold, i + 1, value))];
    }

    /// <summary>
    /// Recombines the secret from at least threshold shares of one split. Shares beyond the threshold are
    /// checked against the polynomial the first ones define, so a share from elsewhere is named rather
    /// than silently spoiling the result. The caller zeroes the returned secret.
    /// </summary>
    public static byte[] Combine(IReadOnlyList<ShamirShare> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            throw new ShareException("no shares given");
        }

        var first = shares[0];
        for (var i = 1; i < shares.Count; i++)
        {
            var share = shares[i];
            if (share.SetId != first.SetId)
            {
                throw new ShareException(Invariant($"share {share.Index} belongs to set {share.SetId}, the others to set {first.SetId}"));
            }

            if (share.Threshold != first.Threshold || share.Value.Length != first.Value.Length)
            {
                throw new ShareException(Invariant($"share {share.Index} does not match the others (threshold or length differs)"));
            }

            for (var j = 0; j < i; j++)
            {
                if (shares[j].Index == share.Index)
                {
                    throw new ShareException(CryptographicOperations.FixedTimeEquals(shares[j].Value, share.Value)
                        ? Invariant($"share {share.Index} was given twice")
                        : Invariant($"two different shares claim index {share.Index}"));
                }
            }
        }

        if (shares.Count < first.Threshold)
        {
            throw new ShareException(Invariant($"{shares.Count} shares given, {first.Threshold} needed"));
        }

        var basis = shares.Take(first.Threshold).ToArray();
        var secret = Interpolate(basis, 0);
        foreach (var extra in shares.Skip(first.Threshold))
        {
            var expected = Interpolate(basis, (byte)extra.Index);
            var consistent = CryptographicOperations.FixedTimeEquals(expected, extra.Value);
            CryptographicOperations.ZeroMemory(expected);
            if (!consistent)
            {
                CryptographicOperations.ZeroMemory(secret);
                throw new ShareException(Invariant($"share {extra.Index} is inconsistent with the others (corrupted, or from another split)"));
            }
        }

        return secret;
    }

    /// <summary>The value at <paramref name="x"/> of the polynomials through the given shares (Lagrange form).</summary>
    internal static byte[] Interpolate(IReadOnlyList<ShamirShare> points, byte x)
    {
        var length = points[0].Value.Length;
        var result = new byte[length];
        for (var j = 0; j < points.Count; j++)
        {
            // l_j(x) = prod over m != j of (x - x_m) / (x_j - x_m); subtraction is XOR in GF(2^8).
            byte weight = 1;
            var xj = (byte)points[j].Index;
            for (var m = 0; m < points.Count; m++)
            {
                if (m != j)
                {
                    var xm = (byte)points[m].Index;
                    weight = Gf256.Multiply(weight, Gf256.Divide(Gf256.Add(x, xm), Gf256.Add(xj, xm)));
                }
            }

            var y = points[j].Value;
            for (var b = 0; b < length; b++)
            {
                result[b] ^= Gf256.Multiply(y[b], weight);
            }
        }

        return result;
    }

    private static byte Evaluate(ReadOnlySpan<byte> coefficients, byte x)
    {
        // Horner's rule from the highest coefficient down.
        byte value = 0;
        for (var k = coefficients.Length - 1; k >= 0; k--)
        {
            value = Gf256.Add(Gf256.Multiply(value, x), coefficients[k]);
        }

        return value;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
