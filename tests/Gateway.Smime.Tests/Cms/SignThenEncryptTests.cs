using Gateway.Smime.Cms;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public sealed class SignThenEncryptTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_signed_then_encrypted_message_decrypts_and_its_signature_still_verifies(bool gcm)
    {
        var scenario = new SigningScenario();
        var bob = TestPki.Issue(scenario.Ca, "bob@example.org");
        var message = TestMessages.EightBitWithAttachment();
        await new SmimeSigner(scenario.Keys, scenario.Clock).SignAsync(message, "alice@example.com", SmimeSignOptions.Default, CancellationToken.None);
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(bob.Certificate, new RecipientCapabilities(gcm, false))],
            SmimeEncryptOptions.Default, CancellationToken.None);
        var received = MimeMessage.Load(new MemoryStream(TestMessages.ToWireBytes(message)));

        var decrypted = await EncryptionInteropTests.Decryptor(bob).DecryptAsync(received.Body!, CancellationToken.None);
        Assert.Equal(SmimeDecryptStatus.Decrypted, decrypted.Status);
        // The pipeline puts the decrypted entity back under the outer headers; parsed entities are written verbatim.
        received.Body = decrypted.Content;
        var verified = await scenario.VerifyAsync(TestMessages.ToWireBytes(received));

        Assert.Equal(SmimeVerifyStatus.Valid, verified.Status);
        Assert.True(verified.CoversWholeBody);
    }
}
