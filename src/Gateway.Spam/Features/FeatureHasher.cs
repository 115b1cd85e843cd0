namespace Gateway.Spam.Features;

/// <summary>
/// Maps token strings to 32-bit feature ids (FNV-1a over the UTF-16 code units). Stable across processes and
/// platforms, unlike <see cref="string.GetHashCode()"/>, because ids are stored in model files. At 32 bits a model of
/// a million distinct tokens loses about a hundred to collisions, which a statistical classifier does not notice.
/// </summary>
internal static class FeatureHasher
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;
    private const uint PrimeSquared = unchecked(Prime * Prime);

    public static uint Hash(ReadOnlySpan<char> token) => Continue(OffsetBasis, token);

    /// <summary>
    /// The hash of a token that goes on with <paramref name="more"/>, from the hash of what came before: a token made
    /// of parts hashes as their concatenation would, without the concatenated string being made.
    /// </summary>
    public static uint Continue(uint hash, ReadOnlySpan<char> more)
    {
        foreach (var c in more)
        {
            if (c < 0x100)
            {
                // The high octet is zero and x ^ 0 is x: the two steps fold into one multiplication by the prime's
                // square (arithmetic modulo 2^32 is associative), half the chained multiplications for Latin-1 text.
                hash = (hash ^ c) * PrimeSquared;
            }
            else
            {
                hash = (hash ^ (c & 0xFFu)) * Prime;
                hash = (hash ^ (uint)(c >> 8)) * Prime;
            }
        }

        return hash;
    }

    /// <summary>
    /// <see cref="Continue(uint, ReadOnlySpan{char})"/> for three hashes over the same characters at once: each step
    /// waits for the multiplication before it, and three independent chains keep the multiplier busy where one leaves
    /// it waiting (a word is hashed as itself, as the end of one pair and as the start of the next).
    /// </summary>
    public static void Continue(ref uint first, ref uint second, ref uint third, ReadOnlySpan<char> more)
    {
        uint a = first, b = second, c = third;
        foreach (var ch in more)
        {
            if (ch < 0x100)
            {
                a = (a ^ ch) * PrimeSquared;
                b = (b ^ ch) * PrimeSquared;
                c = (c ^ ch) * PrimeSquared;
            }
            else
            {
                a = Step(a, ch);
                b = Step(b, ch);
                c = Step(c, ch);
            }
        }

        (first, second, third) = (a, b, c);

        static uint Step(uint hash, char ch) => (((hash ^ (ch & 0xFFu)) * Prime) ^ (uint)(ch >> 8)) * Prime;
    }
}
