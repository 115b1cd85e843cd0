using System.Collections.Concurrent;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>
/// Stage checks for tests: everything is accepted unless a test swaps in a rule. Recipients at
/// "ours.example" are inbound; "denied.example" recipients are refused with 554 5.7.1 (a stand-in relay rule).
/// </summary>
internal sealed class RecordingHandler : ISmtpSessionHandler
{
    public ConcurrentQueue<RecordedMessage> Messages { get; } = new();

    public ConcurrentQueue<SessionFacts> Connects { get; } = new();

    public ConcurrentQueue<SessionFacts> MailFacts { get; } = new();

    public ConcurrentQueue<MailParameters> MailParameters { get; } = new();

    public ConcurrentQueue<RecordingWriter> Writers { get; } = new();

    public Func<SessionFacts, Verdict>? OnConnect { get; set; }

    public Func<Envelope, Verdict>? OnMessageStart { get; set; }

    public bool WriterThrowsOnWrite { get; set; }

    public bool WriterThrowsOnComplete { get; set; }

    public bool MailThrows { get; set; }

    public bool CompleteHangs { get; set; }

    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken)
    {
        Connects.Enqueue(session);
        return ValueTask.FromResult(OnConnect?.Invoke(session) ?? Verdict.Continue);
    }

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

    public ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken)
    {
        if (MailThrows)
        {
            throw new InvalidOperationException("policy store unavailable (test)");
        }

        MailFacts.Enqueue(session);
        MailParameters.Enqueue(parameters);
        return ValueTask.FromResult(Verdict.Continue);
    }

    public ValueTask<RecipientDecision> OnRecipientAsync(SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken)
    {
        var decision = recipient.Domain switch
        {
            "denied.example" => RecipientDecision.Refuse(Verdict.Reject(new SmtpReply(554, "5.7.1", "Relay access denied"))),
            "positive-refusal.example" => RecipientDecision.Refuse(new Verdict(VerdictAction.Reject, new SmtpReply(250, "2.1.5", "Ok"), null)),
            "ours.example" => RecipientDecision.Accept(MailDirection.Inbound),
            _ => RecipientDecision.Accept(MailDirection.Outbound),
        };
        return ValueTask.FromResult(decision);
    }

    public ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var verdict = OnMessageStart?.Invoke(envelope) ?? Verdict.Continue;
        if (!verdict.IsContinue)
        {
            return ValueTask.FromResult<(Verdict, IMessageWriter?)>((verdict, null));
        }

        var writer = new RecordingWriter(this, envelope);
        Writers.Enqueue(writer);
        return ValueTask.FromResult<(Verdict, IMessageWriter?)>((Verdict.Continue, writer));
    }
}
