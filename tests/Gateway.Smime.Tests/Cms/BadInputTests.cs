using Gateway.Smime.Cms;
using MimeKit;
using MimeKit.Cryptography;

namespace Gateway.Smime.Tests.Cms;

public sealed class BadInputTests
{
    private static readonly TestCa Ca = TestPki.CreateCa();
    private static readonly TestIdentity Bob = TestPki.Issue(Ca, "bob@example.org");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_wrong_private_key_is_a_wrong_key_result(bool gcm)
    {
        var part = await EncryptForBobAsync(TestMessages.Plain(), gcm);
        var impostor = TestPki.Issue(Ca, "bob@example.org");
        var keys = new InMemorySmimeKeySource();
        // The key source claims Bob's certificate but holds another key (a corrupted or mixed-up vault entry).
        keys.AddRecipientKey("bob (wrong)", impostor.PrivateKey, Bob.Certificate);

        var result = await new SmimeDecryptor(keys, SmimeLimits.Default).DecryptAsync(part, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.WrongKey, result.Status);
        Assert.Null(result.Content);
    }

    [Fact]
    public async Task No_key_for_any_recipient_is_a_no_key_result()
    {
        var part = await EncryptForBobAsync(TestMessages.Plain(), gcm: false);
        var carol = TestPki.Issue(Ca, "carol@example.org");

        var result = await EncryptionInteropTests.Decryptor(carol).DecryptAsync(part, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.NoKey, result.Status);
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    [InlineData(false, 100)]
    [InlineData(true, 7)]
    public async Task Truncated_cms_is_an_invalid_result(bool gcm, int divisor)
    {
        var cms = await CmsBytesAsync(await EncryptForBobAsync(TestMessages.Plain(), gcm));

        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(Pkcs7(cms[..(cms.Length / divisor)]), CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.Invalid, result.Status);
    }

    [Fact]
    public async Task Bytes_that_are_not_cms_are_an_invalid_result()
    {
        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(Pkcs7("not a CMS structure at all"u8.ToArray()), CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.Invalid, result.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_content_encryption_algorithm_is_unsupported(bool gcm)
    {
        var cms = await CmsBytesAsync(await EncryptForBobAsync(TestMessages.Plain(), gcm));
        // aes256-CBC is 2.16.840.1.101.3.4.1.42, aes256-GCM .46; rewrite the last arc to .127 (same length, valid DER).
        byte[] oid = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, (byte)(gcm ? 0x2E : 0x2A)];
        var at = cms.AsSpan().IndexOf(oid);
        Assert.True(at >= 0);
        cms[at + oid.Length - 1] = 0x7F;

        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(Pkcs7(cms), CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.UnsupportedAlgorithm, result.Status);
    }

    [Fact]
    public async Task An_unknown_key_encryption_algorithm_is_unsupported()
    {
        var cms = await CmsBytesAsync(await EncryptForBobAsync(TestMessages.Plain(), gcm: false));
        // rsaEncryption 1.2.840.113549.1.1.1 -> 1.2.840.113549.1.1.127
        byte[] oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
        var at = cms.AsSpan().IndexOf(oid);
        cms[at + oid.Length - 1] = 0x7F;

        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(Pkcs7(cms), CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.UnsupportedAlgorithm, result.Status);
    }

    [Fact]
    public async Task Cms_larger_than_the_limit_is_refused_before_parsing()
    {
        var part = await EncryptForBobAsync(TestMessages.Plain(text: new string('x', 20_000)), gcm: false);
        var keys = new InMemorySmimeKeySource();
        keys.AddRecipientKey("bob", Bob.PrivateKey, Bob.Certificate);

        var result = await new SmimeDecryptor(keys, new SmimeLimits { MaxCmsBytes = 4096 }).DecryptAsync(part, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.TooLarge, result.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Decrypted_mime_nested_100_deep_is_refused_without_a_stack_overflow(bool gcm)
    {
        var part = await EncryptForBobAsync(Nested(100), gcm);

        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(part, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.NestingTooDeep, result.Status);
        Assert.Null(result.Content);
        Assert.Equal("bob@example.org", result.KeyName);
    }

    [Fact]
    public async Task Nesting_within_the_limit_decrypts()
    {
        var part = await EncryptForBobAsync(Nested(10), gcm: true);

        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(part, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
    }

    [Fact]
    public async Task A_message_nested_100_deep_is_refused_by_the_verifier()
    {
        var scenario = new SigningScenario();

        var result = await scenario.VerifyAsync(TestMessages.ToWireBytes(Nested(100)));

        Assert.Equal(SmimeVerifyStatus.NestingTooDeep, result.Status);
    }

    [Fact]
    public async Task Opaque_signed_content_nested_100_deep_is_refused()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(Nested(100), SmimeSignatureForm.Opaque);

        var result = await scenario.VerifyAsync(wire);

        Assert.Equal(SmimeVerifyStatus.NestingTooDeep, result.Status);
    }

    [Fact]
    public async Task A_truncated_signature_is_malformed()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());
        var message = MimeMessage.Load(new MemoryStream(wire));
        var signature = (MimePart)((Multipart)message.Body!)[1];
        var cms = await CmsBytesAsync(signature);
        signature.Content = new MimeContent(new MemoryStream(cms[..(cms.Length / 3)]));

        var result = await scenario.VerifyAsync(TestMessages.ToWireBytes(message));

        Assert.Equal(SmimeVerifyStatus.Malformed, result.Status);
    }

    [Fact]
    public async Task A_part_that_is_not_encrypted_is_reported_as_such()
    {
        var result = await EncryptionInteropTests.Decryptor(Bob).DecryptAsync(new TextPart("plain") { Text = "hi" }, CancellationToken.None);

        Assert.Equal(SmimeDecryptStatus.NotEncrypted, result.Status);
    }

    private static async Task<MimeEntity> EncryptForBobAsync(MimeMessage message, bool gcm)
    {
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(Bob.Certificate)],
            new SmimeEncryptOptions { AssumeAuthEnveloped = gcm }, CancellationToken.None);
        // Through the wire and back, as a received message would arrive.
        return MimeMessage.Load(new MemoryStream(TestMessages.ToWireBytes(message))).Body!;
    }

    private static async Task<byte[]> CmsBytesAsync(MimeEntity entity)
    {
        using var bytes = new MemoryStream();
        await ((MimePart)entity).Content!.DecodeToAsync(bytes);
        return bytes.ToArray();
    }

    private static ApplicationPkcs7Mime Pkcs7(byte[] cms) => new(SecureMimeType.EnvelopedData, new MemoryStream(cms));

    private static MimeMessage Nested(int depth)
    {
        MimeEntity entity = new TextPart("plain") { Text = "at the bottom\n" };
        for (var i = 1; i < depth; i++)
        {
            entity = new Multipart("mixed") { entity };
        }
        var message = TestMessages.Plain();
        message.Body = entity;
        return message;
    }
}
