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
        using var dir = new TempDirectory();
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
