using Gateway.Smime.Cms;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public sealed class EncryptionInteropTests
{
    private static readonly TestCa Ca = TestPki.CreateCa();

    [Theory]
    [InlineData(TestKeyKind.Rsa2048, false, false, SmimeContentEncryption.Aes256Cbc, SmimeKeyTransport.RsaPkcs1)]
    [InlineData(TestKeyKind.Rsa2048, false, true, SmimeContentEncryption.Aes256Cbc, SmimeKeyTransport.RsaOaep)]
    [InlineData(TestKeyKind.Rsa3072, true, false, SmimeContentEncryption.Aes256Gcm, SmimeKeyTransport.RsaPkcs1)]
    [InlineData(TestKeyKind.Rsa2048, true, true, SmimeContentEncryption.Aes256Gcm, SmimeKeyTransport.RsaOaep)]
    [InlineData(TestKeyKind.EcP256, false, false, SmimeContentEncryption.Aes256Cbc, SmimeKeyTransport.EcdhAesWrap)]
    [InlineData(TestKeyKind.EcP256, true, false, SmimeContentEncryption.Aes256Gcm, SmimeKeyTransport.EcdhAesWrap)]
    public async Task Our_encryption_decrypts_with_openssl_and_with_us(TestKeyKind kind, bool gcm, bool oaep,
        SmimeContentEncryption expectedContent, SmimeKeyTransport expectedTransport)
    {
        var bob = TestPki.Issue(Ca, "bob@example.org", kind);
        var message = TestMessages.Plain(text: "Secret plans, version 7.\n");

        var result = await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(bob.Certificate, new RecipientCapabilities(gcm, oaep))],
            SmimeEncryptOptions.Default, CancellationToken.None);

        Assert.Equal(expectedContent, result.ContentEncryption);
        Assert.Equal([expectedTransport], result.KeyTransports);
        var wire = TestMessages.ToWireBytes(message);
        Assert.DoesNotContain("Secret plans", System.Text.Encoding.ASCII.GetString(wire));

        using var dir = new TempDirectory("gw-smime");
        await File.WriteAllTextAsync(dir.File("bob.pem"), bob.CertificatePem);
        await File.WriteAllTextAsync(dir.File("bob.key"), bob.PrivateKeyPem);
        var openssl = await ExternalTool.RunAsync("openssl", ["cms", "-decrypt", "-recip", dir.File("bob.pem"), "-inkey", dir.File("bob.key")], wire);
        Assert.True(openssl.ExitCode == 0, openssl.Stderr);
        Assert.Contains("Secret plans, version 7.", openssl.StdoutText);

        var ours = await Decryptor(bob).DecryptAsync(MimeMessage.Load(new MemoryStream(wire)).Body!, CancellationToken.None);
        Assert.Equal(SmimeDecryptStatus.Decrypted, ours.Status);
        Assert.Equal(gcm, ours.Authenticated);
        Assert.Equal("bob@example.org", ours.KeyName);
        Assert.Contains("Secret plans, version 7.", Assert.IsType<TextPart>(ours.Content).Text);
    }

    [Fact]
    public async Task Several_recipients_each_decrypt_the_same_message()
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        var carol = TestPki.Issue(Ca, "carol@example.org", TestKeyKind.EcP256);
        var dave = TestPki.Issue(Ca, "dave@example.org", TestKeyKind.Rsa3072);
        var message = TestMessages.Plain(text: "For all three of you.\n");

        await new SmimeEncryptor().EncryptAsync(message, [new(bob.Certificate), new(carol.Certificate), new(dave.Certificate)],
            SmimeEncryptOptions.Default, CancellationToken.None);

        var wire = TestMessages.ToWireBytes(message);
        foreach (var who in new[] { bob, carol, dave })
        {
            var result = await Decryptor(who).DecryptAsync(MimeMessage.Load(new MemoryStream(wire)).Body!, CancellationToken.None);
            Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
            Assert.Equal(who.Address, result.KeyName);
        }
    }

    [Theory]
    [InlineData("-aes-256-cbc", false, false, "aes256-cbc")]
    [InlineData("-aes-256-gcm", false, true, "aes256-gcm")]
    [InlineData("-aes-256-cbc", true, false, "aes256-cbc")]
    [InlineData("-aes-256-gcm", true, true, "aes256-gcm")]
    [InlineData("-aes-128-cbc", false, false, "aes128-cbc")]
    [InlineData("-aes-192-cbc", false, false, "aes192-cbc")]
    [InlineData("-aes-128-gcm", false, true, "aes128-gcm")]
    [InlineData("-aes-192-gcm", false, true, "aes192-gcm")]
    [InlineData("-des3", false, false, "des-ede3-cbc")]
    public async Task Mail_encrypted_by_openssl_decrypts_with_us_and_its_content_algorithm_has_a_readable_name(string cipher, bool oaep, bool authenticated, string name)
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        using var dir = new TempDirectory("gw-smime");
        await File.WriteAllTextAsync(dir.File("bob.pem"), bob.CertificatePem);
        var inner = "Content-Type: text/plain; charset=us-ascii\r\n\r\nFrom openssl with love.\r\n"u8.ToArray();
        List<string> arguments = ["cms", "-encrypt", cipher, "-recip", dir.File("bob.pem")];
        if (oaep)
        {
            arguments.AddRange(["-keyopt", "rsa_padding_mode:oaep"]);
        }
        var encrypted = await ExternalTool.RunAsync("openssl", arguments, inner);
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);

        var message = MimeMessage.Load(new MemoryStream(encrypted.Stdout));
        var result = await Decryptor(bob).DecryptAsync(message.Body!, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
        Assert.Equal(authenticated, result.Authenticated);
        Assert.Equal(name, ContentAlgorithmNames.NameOf(Assert.IsType<string>(result.ContentAlgorithm)));
        Assert.Equal("From openssl with love.", Assert.IsType<TextPart>(result.Content).Text.TrimEnd());
    }

    [Theory]
    [InlineData("1.2.840.113549.3.2", "rc2-cbc")]
    [InlineData("1.2.840.113549.1.9.16.3.18", "chacha20-poly1305")]
    [InlineData("1.2.392.200011.61.1.1.1.4", "camellia256-cbc")]
    // Without a name the OID is shown as it is, never an empty or made-up name.
    [InlineData("1.3.6.1.4.1.99999.1", "1.3.6.1.4.1.99999.1")]
    public void Algorithms_not_decrypted_are_named_too_and_an_unknown_one_keeps_its_oid(string oid, string shown) =>
        Assert.Equal(shown, ContentAlgorithmNames.NameOf(oid));

    [Theory]
    [InlineData("-aes-256-cbc")]
    [InlineData("-aes-256-gcm")]
    public async Task Mail_encrypted_by_openssl_for_an_ec_key_decrypts_with_us(string cipher)
    {
        var carol = TestPki.Issue(Ca, "carol@example.org", TestKeyKind.EcP256);
        using var dir = new TempDirectory("gw-smime");
        await File.WriteAllTextAsync(dir.File("carol.pem"), carol.CertificatePem);
        var inner = "Content-Type: text/plain\r\n\r\nECDH from openssl.\r\n"u8.ToArray();
        var encrypted = await ExternalTool.RunAsync("openssl", ["cms", "-encrypt", cipher, "-recip", dir.File("carol.pem")], inner);
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);

        var result = await Decryptor(carol).DecryptAsync(MimeMessage.Load(new MemoryStream(encrypted.Stdout)).Body!, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
        Assert.Contains("ECDH from openssl.", Assert.IsType<TextPart>(result.Content).Text);
    }

    internal static SmimeDecryptor Decryptor(params TestIdentity[] identities)
    {
        var keys = new InMemorySmimeKeySource();
        foreach (var identity in identities)
        {
            keys.AddRecipientKey(identity.Address, identity.PrivateKey, identity.Certificate);
        }
        return new SmimeDecryptor(keys, SmimeLimits.Default);
    }
}
