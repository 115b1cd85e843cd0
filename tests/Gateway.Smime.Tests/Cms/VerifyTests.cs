using System.Text;
using Gateway.Smime.Cms;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public sealed class VerifyTests
{
    [Theory]
    [InlineData(TestKeyKind.Rsa2048, SmimeSignatureForm.Detached)]
    [InlineData(TestKeyKind.EcP256, SmimeSignatureForm.Detached)]
    [InlineData(TestKeyKind.Rsa3072, SmimeSignatureForm.Opaque)]
    [InlineData(TestKeyKind.EcP256, SmimeSignatureForm.Opaque)]
    public async Task Our_signature_verifies_with_us_and_the_signer_is_harvested_with_capabilities(TestKeyKind kind, SmimeSignatureForm form)
    {
        var scenario = new SigningScenario(kind);
        var (wire, _) = await scenario.SignAsync(TestMessages.EightBitWithAttachment(), form);

        var result = await scenario.VerifyAsync(wire);

        Assert.Equal(SmimeVerifyStatus.Valid, result.Status);
        Assert.Equal(form, result.Form);
        Assert.True(result.CoversWholeBody);
        var signer = Assert.Single(result.SignerResults);
        Assert.Equal(SmimeChainStatus.Trusted, signer.ChainStatus);
        Assert.True(signer.EmailProtection && signer.MatchesFrom && signer.SigningTimeValid);
        Assert.Equal(scenario.Clock.GetUtcNow(), signer.SigningTime);
        var harvested = Assert.Single(result.HarvestedCertificates);
        Assert.Equal(scenario.Alice.Certificate, harvested.Certificate);
        Assert.Equal(new RecipientCapabilities(Aes256Gcm: true, RsaOaep: true), harvested.Capabilities);
        Assert.Contains("Grüße aus Zürich", Assert.IsType<TextPart>(Assert.IsType<Multipart>(result.SignedContent)[0]).Text);
    }

    [Fact]
    public async Task The_signed_part_on_the_wire_is_byte_for_byte_what_was_signed()
    {
        var scenario = new SigningScenario();
        var (wire, signed) = await scenario.SignAsync(TestMessages.EightBitWithAttachment());

        var text = Encoding.ASCII.GetString(wire);
        var signedText = Encoding.ASCII.GetString(signed.SignedContent!);

        // RFC 1847: the signed content sits between the first boundary line's CRLF and the CRLF before the next.
        var boundary = MimeMessage.Load(new MemoryStream(wire)).Body!.ContentType.Boundary!;
        var start = text.IndexOf("--" + boundary + "\r\n", StringComparison.Ordinal) + boundary.Length + 4;
        var end = text.IndexOf("\r\n--" + boundary, start, StringComparison.Ordinal);
        Assert.Equal(signedText, text[start..end]);
    }

    [Fact]
    public async Task Altered_content_is_a_bad_signature()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain(text: "Pay 100 EUR to account 1234.\n"));
        var tampered = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(wire).Replace("100 EUR", "900 EUR", StringComparison.Ordinal));

        var result = await scenario.VerifyAsync(tampered);

        Assert.Equal(SmimeVerifyStatus.BadSignature, result.Status);
        Assert.False(Assert.Single(result.SignerResults).SignatureValid);
        Assert.Empty(result.HarvestedCertificates);
    }

    [Fact]
    public async Task A_signer_from_an_unknown_ca_is_untrusted_and_not_harvested()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());

        var result = await scenario.VerifyAsync(wire, trusted: TestPki.CreateCa("Some Other CA"));

        Assert.Equal(SmimeVerifyStatus.Untrusted, result.Status);
        var signer = Assert.Single(result.SignerResults);
        Assert.True(signer.SignatureValid);
        Assert.Equal(SmimeChainStatus.Untrusted, signer.ChainStatus);
        Assert.Empty(result.HarvestedCertificates);
    }

    [Fact]
    public async Task A_certificate_for_another_address_does_not_match_the_from_address()
    {
        var scenario = new SigningScenario(sanAddress: "mallory@example.com");
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());

        var result = await scenario.VerifyAsync(wire);

        Assert.Equal(SmimeVerifyStatus.Untrusted, result.Status);
        Assert.False(Assert.Single(result.SignerResults).MatchesFrom);
    }

    [Fact]
    public async Task A_certificate_without_email_protection_is_untrusted()
    {
        var scenario = new SigningScenario(emailProtection: false);
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());

        var result = await scenario.VerifyAsync(wire);

        Assert.Equal(SmimeVerifyStatus.Untrusted, result.Status);
        Assert.False(Assert.Single(result.SignerResults).EmailProtection);
        Assert.Empty(result.HarvestedCertificates);
    }

    [Fact]
    public async Task A_signing_time_in_the_future_is_not_believed()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());
        var twoHoursEarlier = new FakeTimeProvider(scenario.Clock.GetUtcNow().AddHours(-2));

        var result = await scenario.Verifier(clock: twoHoursEarlier).VerifyAsync(new MemoryStream(wire), CancellationToken.None);

        Assert.Equal(SmimeVerifyStatus.Untrusted, result.Status);
        Assert.False(Assert.Single(result.SignerResults).SigningTimeValid);
    }

    [Fact]
    public async Task A_signed_part_wrapped_in_an_attacker_multipart_is_reported_as_covering_only_that_part()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain(text: "The genuine, signed text.\n"));
        var genuine = MimeMessage.Load(new MemoryStream(wire));
        var forged = new MimeMessage();
        forged.From.Add(MailboxAddress.Parse("alice@example.com"));
        forged.To.Add(MailboxAddress.Parse("bob@example.org"));
        forged.Subject = "Hello";
        forged.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Please wire 10,000 EUR to the attacker.\n" },
            genuine.Body!,
        };

        var result = await scenario.VerifyAsync(TestMessages.ToWireBytes(forged));

        Assert.Equal(SmimeVerifyStatus.Valid, result.Status);
        Assert.False(result.CoversWholeBody);
        Assert.Equal("2", result.SignedPartPath);
        Assert.Contains("The genuine, signed text.", Assert.IsType<TextPart>(result.SignedContent).Text);
    }

    [Fact]
    public async Task An_unsigned_message_is_reported_as_not_signed()
    {
        var scenario = new SigningScenario();

        var result = await scenario.VerifyAsync(TestMessages.ToWireBytes(TestMessages.Plain()));

        Assert.Equal(SmimeVerifyStatus.NotSigned, result.Status);
    }
}
