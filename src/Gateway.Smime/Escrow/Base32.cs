namespace Gateway.Smime.Escrow;

/// <summary>
/// RFC 4648 base32, lower case, without padding: shares are read aloud and typed by officers, and base32
/// has no characters that look alike in one case (no 0/O, 1/l) and needs no shift key.
/// </summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, n);
    }

    /// <summary>Decodes lower-case base32; false on a character outside the alphabet or non-zero padding bits.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data)
    {
        data = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, n = 0;
        foreach (var c in text)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            buffer = ((buffer << 5) | value) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                data[n++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        // Left-over bits must be zero, so each byte string has exactly one spelling.
        return (buffer & ((1 << bits) - 1)) == 0;
    }
}
