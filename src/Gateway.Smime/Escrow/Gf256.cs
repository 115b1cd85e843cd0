namespace Gateway.Smime.Escrow;

/// <summary>
/// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B). Multiplication is a
/// fixed eight-round shift-and-add without branches or table look-ups on secret bytes, so share
/// arithmetic does not leak the secret through cache timing (log/exp tables would).
/// </summary>
internal static class Gf256
{
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Multiply(byte a, byte b)
    {
        int product = 0;
        int x = a;
        int y = b;
        for (var round = 0; round < 8; round++)
        {
            product ^= x & -(y & 1);
            var carry = -((x >> 7) & 1);
            x = ((x << 1) ^ (0x1B & carry)) & 0xFF;
            y >>= 1;
        }

        return (byte)product;
    }

    /// <summary>a^254 = a^-1 for a != 0 (the multiplicative group has order 255); 0 maps to 0.</summary>
    public static byte Inverse(byte a)
    {
        byte result = 1;
        var power = a;
        for (var exponent = 254; exponent > 0; exponent >>= 1)
        {
            // The exponent is public, so branching on its bits leaks nothing about a.
            if ((exponent & 1) != 0)
            {
                result = Multiply(result, power);
            }

            power = Multiply(power, power);
        }

        return result;
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));
}
