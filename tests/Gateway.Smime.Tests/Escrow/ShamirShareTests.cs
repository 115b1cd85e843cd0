using System.Security.Cryptography;
using Gateway.Smime.Escrow;

namespace Gateway.Smime.Tests.Escrow;

public sealed class ShamirShareTests
{
    [Fact]
    public void A_share_reads_back_as_written_even_typed_in_capitals_with_spaces()
    {
        var share = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 3, 5)[2];
        var text = share.Encode();
        Assert.Matches("^gw-share-[0-9a-f]{8}-3-3-[a-z2-7]{52}-[a-z2-7]{8}$", text);

        var typed = string.Join(' ', text.ToUpperInvariant().Chunk(5).Select(c => new string(c)));
        var parsed = ShamirShare.Parse(typed);
        Assert.Equal((share.SetId, share.Threshold, share.Index), (parsed.SetId, parsed.Threshold, parsed.Index));
        Assert.Equal(share.Value.ToArray(), parsed.Value.ToArray());
    }

    [Fact]
    public void Every_single_character_typo_is_detected()
    {
        var text = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 2)[0].Encode();
        const string Typable = "abcdefghijklmnopqrstuvwxyz234567-0189";
        for (var position = 0; position < text.Length; position++)
        {
            foreach (var replacement in Typable.Where(c => c != text[position]))
            {
                var typo = string.Concat(text.AsSpan(0, position), replacement.ToString(), text.AsSpan(position + 1));
                Assert.Throws<ShareException>(() => ShamirShare.Parse(typo));
            }
        }
    }

    [Fact]
    public void A_left_out_character_is_reported_as_a_typo()
    {
        var text = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 2)[0].Encode();
        var error = Assert.Throws<ShareException>(() => ShamirShare.Parse(text.Remove(30, 1)));
        Assert.Equal("share checksum does not match: a character was mistyped or left out", error.Message);
    }

    [Fact]
    public void Text_that_is_not_a_share_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<ShareException>(() => ShamirShare.Parse("correct horse battery staple"));
        Assert.DoesNotContain("horse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_names_the_share_without_its_value()
    {
        var share = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3)[1];
        var valuePart = share.Encode().Split('-')[5];
        Assert.Equal($"share 2 of set {share.SetId} (threshold 2)", share.ToString());
        Assert.DoesNotContain(valuePart, share.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_zeroes_the_value()
    {
        var share = ShamirSecretSharing.Split(RandomNumberGenerator.GetBytes(32), 2, 3)[0];
        share.Dispose();
        Assert.All(share.Value.ToArray(), b => Assert.Equal(0, b));
    }
}
