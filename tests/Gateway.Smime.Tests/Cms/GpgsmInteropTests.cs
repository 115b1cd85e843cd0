using System.Text;
using Gateway.Smime.Cms;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public sealed class GpgsmInteropTests
{
    [Theory]
    [InlineData(TestKeyKind.Rsa2048)]
    [InlineData(TestKeyKind.EcP256)]
    public async Task Our_detached_signature_verifies_with_gpgsm(TestKeyKind kind)
    {
        var scenario = new SigningScenario(kind);
        var (wire, signed) = await scenario.SignAsync(TestMessages.EightBitWithAttachment());
        using var gpgsm = await GpgsmHome.CreateAsync(scenario.Ca);

        // The content file is cut from the wire bytes, so gpgsm checks what a recipient receives.
        var text = Encoding.ASCII.GetString(wire);
        var boundary = MimeMessage.Load(new MemoryStream(wire)).Body!.ContentType.Boundary!;
        var start = text.IndexOf("--" + boundary + "\r\n", StringComparison.Ordinal) + boundary.Length + 4;
        var end = text.IndexOf("\r\n--" + boundary, start, StringComparison.Ordinal);
        await File.WriteAllBytesAsync(gpgsm.File("content"), wire[start..end]);
        var signature = (MimePart)((Multipart)MimeMessage.Load(new MemoryStream(wire)).Body!)[1];
        await using (var sig = File.Create(gpgsm.File("signature.p7s")))
        {
            await signature.Content!.DecodeToAsync(sig);
        }

        var verify = await gpgsm.RunAsync(["--verify", gpgsm.File("signature.p7s"), gpgsm.File("content")]);

        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.Contains("Good signature", verify.Stderr);
    }

    [Fact]
    public async Task Our_opaque_signature_verifies_with_gpgsm()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain(text: "Opaque for gpgsm.\n"), SmimeSignatureForm.Opaque);
        using var gpgsm = await GpgsmHome.CreateAsync(scenario.Ca);
        await WriteCmsAsync(wire, gpgsm.File("signed.p7m"));

        var verify = await gpgsm.RunAsync(["--verify", gpgsm.File("signed.p7m")]);

        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.Contains("Good signature", verify.Stderr);
    }

    // gpgsm 2.2 (Debian 12) reads neither RSA-OAEP nor AuthEnvelopedData, so the CBC/PKCS#1 form is what it checks.
    [Fact]
    public async Task Our_encryption_decrypts_with_gpgsm()
    {
        var ca = TestPki.CreateCa();
        var bob = TestPki.Issue(ca, "bob@example.org");
        var message = TestMessages.Plain(text: "For gpgsm's eyes only.\n");
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(bob.Certificate, RecipientCapabilities.None)],
            SmimeEncryptOptions.Default, CancellationToken.None);
        using var gpgsm = await GpgsmHome.CreateAsync(ca);
        await gpgsm.ImportKeyAsync(bob);
        await WriteCmsAsync(TestMessages.ToWireBytes(message), gpgsm.File("encrypted.p7m"));

        var decrypt = await gpgsm.DecryptAsync(gpgsm.File("encrypted.p7m"));

        Assert.True(decrypt.ExitCode == 0, decrypt.Stderr);
        Assert.Contains("For gpgsm's eyes only.", decrypt.StdoutText);
    }

    private static async Task WriteCmsAsync(byte[] wire, string path)
    {
        var part = (MimePart)MimeMessage.Load(new MemoryStream(wire)).Body!;
        await using var file = File.Create(path);
        await part.Content!.DecodeToAsync(file);
    }
}
