using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class SaslDecoderTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Plain_without_authzid()
    {
        Assert.True(SaslDecoder.TryDecodePlain(B64("\0user\0secret"), out var authz, out var user, out var password));

        Assert.Null(authz);
        Assert.Equal("user", user);
        Assert.Equal("secret", password);
    }

    [Fact]
    public void Plain_with_authzid_and_utf8()
    {
        Assert.True(SaslDecoder.TryDecodePlain(B64("admin\0jörg\0pä ss"), out var authz, out var user, out var password));

        Assert.Equal("admin", authz);
        Assert.Equal("jörg", user);
        Assert.Equal("pä ss", password);
    }

    [Theory]
    [InlineData("user\0secret")]
    [InlineData("\0\0secret")]
    [InlineData("\0user\0")]
    [InlineData("\0user\0pass\0extra")]
    [InlineData("")]
    public void Plain_with_wrong_fields(string message)
    {
        Assert.False(SaslDecoder.TryDecodePlain(B64(message), out _, out var user, out var password));
        Assert.Equal(string.Empty, user);
        Assert.Equal(string.Empty, password);
    }

    [Theory]
    [InlineData("AHVzZXIAcGFzcw")]
    [InlineData("AHVzZXIA cGFzcw==")]
    [InlineData("AHVzZXIAcGFzcw==\r\n")]
    [InlineData("AHVzZXIAcGFzcw=!")]
    [InlineData("=AHVzZXIAcGFzcw=")]
    public void Plain_with_bad_base64(string base64)
    {
        Assert.False(SaslDecoder.TryDecodePlain(base64, out _, out _, out _));
    }

    [Fact]
    public void Plain_with_invalid_utf8()
    {
        var base64 = Convert.ToBase64String([0, (byte)'u', 0, 0xC3, 0x28]);

        Assert.False(SaslDecoder.TryDecodePlain(base64, out _, out _, out _));
    }

    [Theory]
    [InlineData("dXNlcm5hbWU=", "username")]
    [InlineData("am9yZw==", "jorg")]
    [InlineData("", "")]
    public void Base64_utf8(string base64, string text)
    {
        Assert.True(SaslDecoder.TryDecodeBase64Utf8(base64, out var decoded));
        Assert.Equal(text, decoded);
    }

    [Theory]
    [InlineData("dXNlcm5hbWU")]
    [InlineData("dXNl cm5hbWU=")]
    [InlineData("*")]
    [InlineData("dXNlcm5hbWU===")]
    public void Base64_utf8_rejects_malformed(string base64)
    {
        Assert.False(SaslDecoder.TryDecodeBase64Utf8(base64, out var decoded));
        Assert.Equal(string.Empty, decoded);
    }

    [Fact]
    public void Base64_utf8_rejects_invalid_utf8()
    {
        Assert.False(SaslDecoder.TryDecodeBase64Utf8(Convert.ToBase64String([0xFF, 0xFE]), out _));
    }
}
