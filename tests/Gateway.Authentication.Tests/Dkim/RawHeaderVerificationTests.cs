using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.OpenSsl;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>
/// rsa-sha256 signatures with relaxed header canonicalization are checked over the raw message with the
/// platform's RSA when the caller has the bytes. Both ways must agree on every message: signed by us, signed by
/// MimeKit's independent signer (relaxed/simple and relaxed/relaxed), tampered in a header, in the body, or with
/// a From added.
/// </summary>
public sealed class RawHeaderVerificationTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static InMemoryDnsResolver Zone() => new InMemoryDnsResolver()
        .AddTxt("rsa1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord)
        .AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);

    public static TheoryData<string, string> Cases => new()
    {
        { "ours", TestMessages.Plain },
        { "ours", TestMessages.Multipart },
        { "mimekit-relaxed/simple", TestMessages.Plain },
        { "mimekit-relaxed/simple", TestMessages.Multipart },
        { "mimekit-relaxed/relaxed", TestMessages.Plain },
        { "mimekit-relaxed/relaxed", TestMessages.Multipart },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Intact_messages_pass_both_ways(string signer, string text)
    {
        var signed = Sign(signer, TestMessages.Bytes(text));

        var (raw, mime) = await VerifyBothAsync(signed);

        Assert.Equal(DkimResult.Pass, raw.Result);
        Assert.Equal(mime.Result, raw.Result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_changed_header_fails_both_ways(string signer, string text)
    {
        var signed = TestMessages.Replace(Sign(signer, TestMessages.Bytes(text)), "Message-ID: <", "Message-ID: <x");

        var (raw, mime) = await VerifyBothAsync(signed);

        Assert.Equal(DkimResult.Fail, raw.Result);
        Assert.Equal("signature did not verify", raw.Reason);
        Assert.Equal(mime.Result, raw.Result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_changed_body_fails_both_ways(string signer, string text)
    {
        var signed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Sign(signer, TestMessages.Bytes(text))) + "appended line\r\n");

        var (raw, mime) = await VerifyBothAsync(signed);

        Assert.Equal(DkimResult.Fail, raw.Result);
        Assert.Equal("body hash did not verify", raw.Reason);
        Assert.Equal(mime.Result, raw.Result);
    }

    [Fact]
    public async Task A_from_added_above_an_oversigned_from_fails()
    {
        var signed = Sign("ours", TestMessages.Bytes(TestMessages.Plain));
        var forged = TestMessages.Concat("From: Mallory <ceo@example.com>\r\n", signed);

        var (raw, mime) = await VerifyBothAsync(forged);

        Assert.Equal(DkimResult.Fail, raw.Result);
        Assert.Equal(mime.Result, raw.Result);
    }

    [Fact]
    public async Task The_raw_path_parses_the_message_only_for_signatures_it_does_not_cover()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var service = new DkimSigningService(new FakeTimeProvider(Now));
        var rsaOnly = TestMessages.Concat(service.Sign(raw, [rsa]), raw);
        var dual = TestMessages.Concat(service.Sign(raw, [rsa, ed]), raw);
        var verifier = new DkimVerifierService(Zone(), DkimVerifyOptions.Default, TimeProvider.System);

        var parses = 0;
        var rsaResults = await verifier.VerifyAsync(rsaOnly, _ => { parses++; return Task.FromResult(TestMessages.Parse(rsaOnly)); }, CancellationToken.None);
        Assert.Equal([DkimResult.Pass], rsaResults.Select(r => r.Result));
        Assert.Equal(0, parses);

        // Ed25519 goes through MimeKit: the message is parsed, once, and both signatures pass.
        var dualResults = await verifier.VerifyAsync(dual, _ => { parses++; return Task.FromResult(TestMessages.Parse(dual)); }, CancellationToken.None);
        Assert.Equal([DkimResult.Pass, DkimResult.Pass], dualResults.Select(r => r.Result));
        Assert.Equal(["ed25519-sha256", "rsa-sha256"], dualResults.Select(r => r.Algorithm).Order(StringComparer.Ordinal));
        Assert.Equal(1, parses);
    }

    [Theory]
    [InlineData("v=1; a=rsa-sha256; b=abc; bh=def", "v=1; a=rsa-sha256; b=; bh=def")]
    [InlineData(" v=1; bh=x;\r\n\tb=ab\r\n\tcd\r\n", " v=1; bh=x;\r\n\tb=")]
    [InlineData("b = xyz ; h=from", "b =; h=from")]
    [InlineData("v=1; bh=b=x; b=y", "v=1; bh=b=x; b=")]
    public void Only_the_b_value_is_removed(string value, string expected)
    {
        var result = DkimRsaHeaderCheck.WithoutSignatureValue(Encoding.ASCII.GetBytes(value));

        Assert.Equal(expected, Encoding.ASCII.GetString(result));
    }

    private static byte[] Sign(string signer, byte[] raw)
    {
        if (signer == "ours")
        {
            using var key = TestKeys.RsaSigningKey();
            return TestMessages.Concat(new DkimSigningService(new FakeTimeProvider(Now)).Sign(raw, [key]), raw);
        }

        var message = TestMessages.Parse(raw);
        using var reader = new StringReader(TestKeys.Rsa.PrivateKeyPem);
        var privateKey = new PemReader(reader).ReadObject() switch
        {
            Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair pair => pair.Private,
            Org.BouncyCastle.Crypto.AsymmetricKeyParameter parameter => parameter,
            var other => throw new InvalidOperationException("unexpected PEM object " + other),
        };
        var mimeSigner = new DkimSigner(privateKey, "example.com", "rsa1", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = signer.EndsWith("/relaxed", StringComparison.Ordinal)
                ? DkimCanonicalizationAlgorithm.Relaxed
                : DkimCanonicalizationAlgorithm.Simple,
        };
        mimeSigner.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.MessageId, HeaderId.Date]);
        using var output = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output);
        return output.ToArray();
    }

    private static async Task<(DkimSignatureResult Raw, DkimSignatureResult Mime)> VerifyBothAsync(byte[] signed)
    {
        var verifier = new DkimVerifierService(Zone(), DkimVerifyOptions.Default, TimeProvider.System);
        var raw = await verifier.VerifyAsync(TestMessages.Parse(signed), signed, CancellationToken.None);
        var mime = await verifier.VerifyAsync(TestMessages.Parse(signed), CancellationToken.None);
        return (raw[0], mime[0]);
    }
}
