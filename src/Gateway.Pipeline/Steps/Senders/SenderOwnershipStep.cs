using Gateway.Abstractions;
using Gateway.Authentication.Dmarc;
using Gateway.Policy;
using Gateway.Syntax;

namespace Gateway.Pipeline.Steps.Senders;

/// <summary>
/// An authenticated user may write only From addresses it owns (auth.senders), as it may use only its own envelope
/// senders (checked at MAIL FROM). The From field is read as DMARC reads it, so the address checked here is the one
/// a mail reader shows and a receiver's DMARC check aligns with. A message without From claims nobody and passes;
/// a From that does not name exactly one readable address is refused, since it could not be shown to be owned.
/// </summary>
internal sealed class SenderOwnershipStep(TrustDecider trust) : IMessageStep
{
    public string Name => "sender-ownership";

    public ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var author = AuthorDomainParser.Parse(message.Message.HeaderSection.Span);
        if (author.Problem == DmarcAuthorProblem.NoFromField)
        {
            return ValueTask.FromResult(StepVerdict.Continue);
        }

        var user = message.Trust.User!;
        if (!author.IsValid || author.Address is not { } address || !AddrSpec.TrySplit(address, out var local, out _) || local.Length == 0)
        {
            return ValueTask.FromResult(StepVerdict.Refuse(PipelineReplies.AuthorNotOwned(user), "From does not name exactly one address: " + author.Problem));
        }

        var mailbox = new Mailbox(local, author.Domain!);
        return ValueTask.FromResult(trust.OwnsSender(message.Trust, mailbox)
            ? StepVerdict.Continue
            : StepVerdict.Refuse(PipelineReplies.AuthorNotOwned(user), "From address not owned by the authenticated user"));
    }
}
