using Gateway.Abstractions;
using Gateway.Policy;
using Gateway.Smime.Cms;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// Signs outbound mail of the authors the policy selects with the author's escrowed key, else the domain's. The last
/// content change of the outbound flow: what follows (DKIM) only adds fields on top, so the signed bytes leave as
/// signed. Mail the author's own client already signed or encrypted is left alone. While the vault is sealed such
/// mail is answered 451 and waits at the sending server: it is never sent unsigned.
/// </summary>
internal sealed class SmimeSignStep(SmimeSignPolicy policy, SmimeServices services, ILogger logger) : IMessageStep
{
    private readonly SmimeSigner _signer = new(services.Keys, services.Time);
    private readonly SmimeSignOptions _options = new() { Form = policy.Opaque ? SmimeSignatureForm.Opaque : SmimeSignatureForm.Detached };

    public string Name => "smime-sign";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        if (!message.Message.HasBody)
        {
            return StepVerdict.Continue;
        }

        var parsed = await message.ParseAsync(cancellationToken).ConfigureAwait(false);
        var author = parsed.From.Mailboxes.Count() == 1 ? parsed.From.Mailboxes.First().Address : null;
        if (author is null || !AddrSpec.TrySplit(author, out var local, out var domain) || local.Length == 0
            || !policy.Senders.Any(p => p.Matches(new Mailbox(local, domain.ToLowerInvariant()))))
        {
            return StepVerdict.Continue;
        }

        if (SmimeContent.IsSecured(parsed.Body))
        {
            return new StepVerdict { Reason = "already S/MIME: " + parsed.Body!.ContentType.MimeType };
        }

        if (services.IsSealed())
        {
            return StepVerdict.Refuse(PipelineReplies.SigningKeySealed, "key vault sealed: signing deferred for " + author);
        }

        var result = await _signer.SignAsync(parsed, author, _options, cancellationToken).ConfigureAwait(false);
        if (result.Status != SmimeSignStatus.Success)
        {
            // Sealed between the check and the key lookup reads as "no key": the seal wins, so it waits.
            if (services.IsSealed())
            {
                return StepVerdict.Refuse(PipelineReplies.SigningKeySealed, "key vault sealed: signing deferred for " + author);
            }

            return policy.MissingKey switch
            {
                SmimeMissingKeyAction.SendUnsigned => new StepVerdict { Reason = "no S/MIME key for " + author + "; sent unsigned by policy" },
                SmimeMissingKeyAction.Defer => StepVerdict.Refuse(PipelineReplies.SigningKeyMissing(temporary: true), "no S/MIME key for " + author),
                _ => StepVerdict.Refuse(PipelineReplies.SigningKeyMissing(temporary: false), "no S/MIME key for " + author),
            };
        }

        var tail = await SmimeContent.TailAsync(parsed.Body!, cancellationToken).ConfigureAwait(false);
        SmimeLog.Signed(logger, message.Session.SessionId, message.Message.QueueId, author, result.KeyName ?? "?", _options.Form);
        return new StepVerdict
        {
            Removals = SmimeContent.MimeFields(message.Message.HeaderSection.Span),
            ReplacementTail = tail,
            Reason = "signed with " + result.KeyName,
        };
    }
}
