using Gateway.Smime.Cms;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// Encrypts an outbound part whose recipients all get encrypted mail (the session handler queues recipients to
/// encrypt and recipients to send plain as separate parts): one envelope for all of them, AES-256-GCM
/// AuthEnvelopedData when every recipient advertises it, else AES-256-CBC; RSA-OAEP where a certificate asks for it.
/// Runs after signing (RFC 8551 3.7: sign, then encrypt). Should a part mix the two anyway (a certificate appeared or
/// went between RCPT and now), a recipient that requires encryption is never sent plaintext: the message is refused.
/// </summary>
internal sealed class SmimeEncryptStep(SmimeEncryptionPlanner planner, ILogger logger) : IMessageStep
{
    private readonly SmimeEncryptor _encryptor = new();

    public string Name => "smime-encrypt";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        if (!message.Message.HasBody)
        {
            return StepVerdict.Continue;
        }

        var certificates = new List<SmimeRecipient>();
        var plain = new List<string>();
        string? refused = null;
        foreach (var recipient in message.Envelope.Recipients)
        {
            var (plan, certificate) = await planner.PlanAsync(recipient.Address, cancellationToken).ConfigureAwait(false);
            switch (plan)
            {
                case SmimeRecipientPlan.Encrypt:
                    certificates.Add(certificate!);
                    break;
                case SmimeRecipientPlan.Refuse:
                    refused ??= recipient.Address.ToString();
                    break;
                default:
                    plain.Add(recipient.Address.ToString());
                    break;
            }
        }

        if (refused is not null)
        {
            return StepVerdict.Refuse(PipelineReplies.EncryptionCertificateMissing(refused), "encryption required, no certificate for " + refused);
        }

        if (certificates.Count == 0)
        {
            return StepVerdict.Continue;
        }

        if (plain.Count > 0)
        {
            // Split at message start; a mix here means the directory changed in between. Plaintext for all is what
            // the when_known recipients' policy allows (required ones were refused above).
            return new StepVerdict { Reason = "not encrypted: no certificate for " + string.Join(", ", plain) };
        }

        var parsed = await message.ParseAsync(cancellationToken).ConfigureAwait(false);
        if (parsed.Body is { } body && (body.ContentType.IsMimeType("application", "pkcs7-mime") || body.ContentType.IsMimeType("application", "x-pkcs7-mime"))
            && body.ContentType.Parameters["smime-type"] is "enveloped-data" or "authEnveloped-data")
        {
            return new StepVerdict { Reason = "already encrypted by the sender" };
        }

        var result = await _encryptor.EncryptAsync(parsed, certificates, SmimeEncryptOptions.Default, cancellationToken).ConfigureAwait(false);
        var tail = await SmimeContent.TailAsync(parsed.Body!, cancellationToken).ConfigureAwait(false);
        var names = string.Join(", ", message.Envelope.Recipients.Select(r => r.Address.ToString()));
        SmimeLog.Encrypted(logger, message.Session.SessionId, message.Message.QueueId, names, result.ContentEncryption);
        return new StepVerdict
        {
            Removals = SmimeContent.MimeFields(message.Message.HeaderSection.Span),
            ReplacementTail = tail,
            Reason = $"encrypted ({result.ContentEncryption}) for {names}",
        };
    }
}
