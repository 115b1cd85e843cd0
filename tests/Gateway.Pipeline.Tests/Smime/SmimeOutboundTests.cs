using System.Text;
using Gateway.Policy;
using Gateway.Smime.Cms;
using MimeKit;
using MimeKit.Cryptography;

namespace Gateway.Pipeline.Tests.Smime;

/// <summary>Outbound S/MIME through the real session handler: signing, the sealed vault, missing keys, encryption policy.</summary>
public sealed class SmimeOutboundTests(SmimePki pki) : IClassFixture<SmimePki>
{
    private readonly SmimeHarness _org = new(pki);

    [Fact]
    public async Task Mail_of_a_selected_author_leaves_signed_and_the_signature_verifies_over_the_bytes_delivered()
    {
        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain("dave@other.test", "Grüße, 8-bit text\r\n"), "dave@other.test");

        Assert.Equal(250, reply.Code);
        var delivered = parts.Writer.Delivered;
        var message = SmimeHarness.Parse(delivered);
        var signed = Assert.IsType<MultipartSigned>(message.Body);
        Assert.Equal("sha-256", signed.ContentType.Parameters["micalg"]);
        Assert.Equal("figures", message.Subject);

        // Our Received stays the first field; exactly one MIME-Version and one top-level Content-Type remain.
        Assert.StartsWith("Received: ", delivered, StringComparison.Ordinal);
        var header = delivered[..delivered.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Single(header.Split("\r\n"), l => l.StartsWith("MIME-Version:", StringComparison.OrdinalIgnoreCase));
        Assert.Single(header.Split("\r\n"), l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));

        var verified = await _org.Services().Verifier!.VerifyAsync(new MemoryStream(Encoding.UTF8.GetBytes(delivered)), default);
        Assert.Equal(SmimeVerifyStatus.Valid, verified.Status);
        Assert.True(verified.CoversWholeBody);

        // 8-bit text was made 7-bit before signing, never after.
        var inner = Assert.IsType<TextPart>(signed[0]);
        Assert.NotEqual(ContentEncoding.EightBit, inner.ContentTransferEncoding);
        Assert.Contains("Grüße", inner.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opaque_form_is_application_pkcs7_mime()
    {
        _org.Smime = _org.Smime with { Sign = _org.Smime.Sign with { Opaque = true } };

        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain("dave@other.test"), "dave@other.test");

        Assert.Equal(250, reply.Code);
        var body = Assert.IsType<ApplicationPkcs7Mime>(SmimeHarness.Parse(parts.Writer.Delivered).Body);
        Assert.Equal(SecureMimeType.SignedData, body.SecureMimeType);
    }

    [Fact]
    public async Task While_the_vault_is_sealed_mail_that_must_be_signed_waits_with_451_and_nothing_is_queued()
    {
        _org.Sealed = true;

        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain("dave@other.test"), "dave@other.test");

        Assert.Equal(451, reply.Code);
        Assert.Equal("4.7.0", reply.EnhancedCode);
        Assert.Null(parts.Writer.Amendment);
        Assert.NotNull(parts.Writer.Refused);
    }

    [Fact]
    public async Task An_author_without_a_key_is_refused_by_default_deferred_or_sent_unsigned_by_policy()
    {
        var message = SmimeHarness.Plain("dave@other.test").Replace("alice@example.test", "zed@example.test", StringComparison.Ordinal);

        var (refused, _) = await _org.SendOutboundAsync(message, "dave@other.test");
        Assert.Equal(550, refused.Code);

        _org.Smime = _org.Smime with { Sign = _org.Smime.Sign with { MissingKey = SmimeMissingKeyAction.Defer } };
        var (deferred, _) = await _org.SendOutboundAsync(message, "dave@other.test");
        Assert.Equal(451, deferred.Code);

        _org.Smime = _org.Smime with { Sign = _org.Smime.Sign with { MissingKey = SmimeMissingKeyAction.SendUnsigned } };
        var (sent, parts) = await _org.SendOutboundAsync(message, "dave@other.test");
        Assert.Equal(250, sent.Code);
        Assert.IsType<TextPart>(SmimeHarness.Parse(parts.Writer.Delivered).Body);
    }

    [Fact]
    public async Task An_author_outside_the_selected_senders_and_mail_already_signed_are_left_alone()
    {
        _org.Smime = _org.Smime with { Sign = new SmimeSignPolicy { Senders = [new SenderPattern("ceo", "example.test")] } };

        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain("dave@other.test"), "dave@other.test");

        Assert.Equal(250, reply.Code);
        Assert.IsType<TextPart>(SmimeHarness.Parse(parts.Writer.Delivered).Body);
    }

    [Fact]
    public async Task A_domain_that_requires_encryption_refuses_a_recipient_without_a_certificate_at_rcpt()
    {
        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain("x@strict.test"), "x@strict.test");

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Contains("x@strict.test", reply.ToString(), StringComparison.Ordinal);
        Assert.Empty(parts.Parts);
    }

    [Fact]
    public async Task A_known_certificate_gets_signed_then_encrypted_mail_that_only_its_key_opens()
    {
        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain(), "bob@partner.test");

        Assert.Equal(250, reply.Code);
        var message = SmimeHarness.Parse(parts.Writer.Delivered);
        var envelope = Assert.IsType<ApplicationPkcs7Mime>(message.Body);
        Assert.Equal("figures", message.Subject);

        var partnerKeys = new InMemorySmimeKeySource();
        partnerKeys.AddRecipientKey("bob", _org.Partner.PrivateKey, _org.Partner.Certificate);
        var decrypted = await new SmimeDecryptor(partnerKeys, SmimeLimits.Default).DecryptAsync(envelope, default);
        Assert.Equal(SmimeDecryptStatus.Decrypted, decrypted.Status);
        Assert.IsType<MultipartSigned>(decrypted.Content);
    }

    [Fact]
    public async Task Recipients_to_encrypt_and_recipients_without_certificates_are_queued_as_separate_parts()
    {
        var (reply, parts) = await _org.SendOutboundAsync(SmimeHarness.Plain(), "bob@partner.test", "ann@partner.test");

        Assert.Equal(250, reply.Code);
        Assert.Equal(2, parts.Parts.Count);
        var encrypted = parts.Parts.Single(p => p.Envelope.Recipients.Any(r => r.Address.LocalPart == "bob"));
        var plain = parts.Parts.Single(p => p.Envelope.Recipients.Any(r => r.Address.LocalPart == "ann"));
        Assert.IsType<ApplicationPkcs7Mime>(SmimeHarness.Parse(encrypted.Writer.Delivered).Body);
        Assert.IsType<MultipartSigned>(SmimeHarness.Parse(plain.Writer.Delivered).Body);
    }
}
