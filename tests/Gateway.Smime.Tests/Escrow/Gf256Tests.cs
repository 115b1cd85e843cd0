using Gateway.Smime.Escrow;

namespace Gateway.Smime.Tests.Escrow;

public sealed class Gf256Tests
{
    [Fact]
    public void Multiplication_matches_the_AES_field_examples()
    {
        // FIPS-197 4.2: {57} • {83} = {c1} and {57} • {13} = {fe}.
        Assert.Equal(0xC1, Gf256.Multiply(0x57, 0x83));
        Assert.Equal(0xFE, Gf256.Multiply(0x57, 0x13));
    }

    [Fact]
    public void Every_nonzero_element_times_its_inverse_is_one()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Gf256.Multiply((byte)a, Gf256.Inverse((byte)a)));
        }
    }

    [Fact]
    public void Multiplication_is_commutative_and_distributes_over_addition()
    {
        var random = new Random(12);
        for (var i = 0; i < 20_000; i++)
        {
            var a = (byte)random.Next(256);
            var b = (byte)random.Next(256);
            var c = (byte)random.Next(256);
            Assert.Equal(Gf256.Multiply(a, b), Gf256.Multiply(b, a));
            Assert.Equal(Gf256.Multiply(a, Gf256.Add(b, c)), Gf256.Add(Gf256.Multiply(a, b), Gf256.Multiply(a, c)));
        }
    }

    [Fact]
    public void Multiplying_by_a_nonzero_element_is_a_bijection()
    {
        // What makes M-1 shares reveal nothing: y = s + a·x hits every value once as a ranges over the field.
        for (var x = 1; x < 256; x++)
        {
            var seen = new bool[256];
            for (var a = 0; a < 256; a++)
            {
                seen[Gf256.Multiply((byte)a, (byte)x)] = true;
            }

            Assert.All(seen, Assert.True);
        }
    }
}
