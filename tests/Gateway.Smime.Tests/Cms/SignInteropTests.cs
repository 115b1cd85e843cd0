using Gateway.Smime.Cms;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public sealed class SignInteropTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(TestKeyKind.Rsa2048, SmimeSignatureForm.Detached)]
    [InlineData(TestKeyKind.Rsa3072, SmimeSignatureForm.Detached)]
    [InlineData(TestKeyKind.EcP256, SmimeSignatureForm.Detached)]
    [InlineData(TestKeyKind.Rsa2048, SmimeSignatureForm.Opaque)]
    [InlineData(TestKeyKind.EcP256, SmimeSignatureForm.Opaque)]
    public async Task Our_signature_verifies_with_openssl_cms(TestKeyKind kind, SmimeSignatureForm form)
    {
        var ca = TestPki.CreateCa();
        var alice = TestPki.Issue(ca, "alice@example.com", kind);
        var keys = new InMemorySmimeKeySource();
        keys.AddSigningKey("alice@example.com", alice.PrivateKey, alice.Chain);
        var message = TestMessages.EightBitWithAttachment();

        var result = await new SmimeSigner(keys, Clock).SignAsync(message, "alice@example.com", new SmimeSignOptions { Form = form }, CancellationToken.None);

        Assert.Equal(SmimeSignStatus.Success, result.Status);
        using var dir = new TempDirectory("gw-smime");
        await File.WriteAllTextAsync(dir.File("ca.pem"), ca.CertificatePem);
        var wire = TestMessages.ToWireBytes(message);
        Assert.All(wire, b => Assert.True(b < 0x80, "signed output must be 7-bit"));
        var verify = await ExternalTool.RunAsync("openssl", ["cms", "-verify", "-CAfile", dir.File("ca.pem"), "-purpose", "smimesign"], wire);
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        var content = MimeEntity.Load(new MemoryStream(verify.Stdout));
        var text = Assert.IsType<TextPart>(Assert.IsType<Multipart>(content)[0]);
        Assert.Contains("Grüße aus Zürich", text.Text);
        Assert.Equal(ContentEncoding.QuotedPrintable, text.ContentTransferEncoding);
    }
}

public sealed class OpenSslSignedTests
{
    [Theory]
    [InlineData(TestKeyKind.Rsa2048, false)]
    [InlineData(TestKeyKind.EcP256, false)]
    [InlineData(TestKeyKind.Rsa2048, true)]
    public async Task Mail_signed_by_openssl_verifies_with_us(TestKeyKind kind, bool opaque)
    {
        var scenario = new SigningScenario(kind);
        using var dir = new TempDirectory("gw-smime");
        await File.WriteAllTextAsync(dir.File("alice.pem"), scenario.Alice.CertificatePem);
        await File.WriteAllTextAsync(dir.File("alice.key"), scenario.Alice.PrivateKeyPem);
        var inner = "Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned by openssl.\r\nSecond line.\r\n"u8.ToArray();
        List<string> arguments = ["cms", "-sign", "-signer", dir.File("alice.pem"), "-inkey", dir.File("alice.key"), "-md", "sha256"];
        if (opaque)
        {
            arguments.Add("-nodetach");
        }
        var signed = await ExternalTool.RunAsync("openssl", arguments, inner);
        Assert.True(signed.ExitCode == 0, signed.Stderr);
        var wire = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: openssl\r\n"u8.ToArray().Concat(signed.Stdout).ToArray();

        // openssl stamps the real time as signingTime, so the verifier runs on the real clock here.
        var result = await scenario.Verifier(clock: TimeProvider.System).VerifyAsync(new MemoryStream(wire), CancellationToken.None);

        Assert.Equal(SmimeVerifyStatus.Valid, result.Status);
        Assert.Equal(opaque ? SmimeSignatureForm.Opaque : SmimeSignatureForm.Detached, result.Form);
        Assert.Contains("Signed by openssl.", Assert.IsType<TextPart>(result.SignedContent).Text);
        Assert.Single(result.HarvestedCertificates);
    }
}
