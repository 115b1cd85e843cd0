using System.Text;
using Gateway.Spam.Features;

namespace Gateway.Spam.Tests.Features;

public sealed class FeatureHasherTests
{
    /// <summary>
    /// Feature ids are stored in model files: the hash must stay FNV-1a over the UTF-16LE octets of the token, whatever
    /// shortcut computes it, or every learned model silently stops matching the features it was trained on.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("w:hello")]
    [InlineData("w:café ÿ")]
    [InlineData("w:привет")]
    [InlineData("s:中文 mixed ascii")]
    [InlineData("u:host:\ud83d\ude00.example")]
    [InlineData("\u0100\u00ff\u0001\uffff")]
    public void Hash_is_fnv1a_over_the_utf16_octets(string token)
    {
        Assert.Equal(ReferenceFnv1a(Encoding.Unicode.GetBytes(token)), FeatureHasher.Hash(token));
    }

    [Fact]
    public void Hash_of_a_known_token_is_unchanged()
    {
        // FNV-1a (32-bit) of "ab" as UTF-16LE, 61 00 62 00, computed outside this code base.
        Assert.Equal(0x81977B96u, FeatureHasher.Hash("ab"));
    }

    private static uint ReferenceFnv1a(byte[] octets)
    {
        var hash = 2166136261u;
        foreach (var octet in octets)
        {
            hash = unchecked((hash ^ octet) * 16777619u);
        }

        return hash;
    }
}
