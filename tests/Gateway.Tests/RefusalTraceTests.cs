using System.Net;
using Gateway.Abstractions;
using Gateway.Host.Hosting;
using Gateway.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>Refusals before a message exists reach the message trace, so `gateway trace` can say what became of them.</summary>
public sealed class RefusalTraceTests
{
    private static readonly SessionFacts Facts = new()
    {
        SessionId = "s7",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.9"), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        HeloName = "mx.sender.test",
    };

    private static readonly SmtpReply UnknownUser = new(550, "5.1.1", "User unknown");

    [Fact]
    public async Task A_refused_recipient_and_sender_are_traced_and_accepted_ones_are_not()
    {
        var trace = new ListTrace();
        var handler = new RefusalTraceHandler(new Refusing(), trace, TimeProvider.System, NullLogger.Instance);
        var from = new Mailbox("victim", "forged.test");

        var mail = await handler.OnMailFromAsync(Facts, from, MailParameters.None, default);
        var refused = await handler.OnRecipientAsync(Facts, from, new Mailbox("mallory", "example.test"), RecipientParameters.None, default);
        var accepted = await handler.OnRecipientAsync(Facts, from, new Mailbox("alice", "example.test"), RecipientParameters.None, default);
        var spammer = await handler.OnMailFromAsync(Facts, new Mailbox("spam", "bad.test"), MailParameters.None, default);

        Assert.True(mail.IsContinue && accepted.Verdict.IsContinue);
        Assert.Equal((VerdictAction.Reject, VerdictAction.Reject), (refused.Verdict.Action, spammer.Action));
        Assert.Collection(
            trace.Events,
            e =>
            {
                Assert.Equal(("refused", "s7", "victim@forged.test", "192.0.2.9"), (e.Event, e.QueueId, e.From, e.Remote));
                Assert.Equal(["mallory@example.test"], e.To);
                Assert.Equal("550 5.1.1 User unknown", e.Reply);
                Assert.Equal("at RCPT TO, helo mx.sender.test", e.Detail);
            },
            e =>
            {
                Assert.Equal(("refused", "spam@bad.test", "at MAIL FROM, helo mx.sender.test"), (e.Event, e.From, e.Detail));
                Assert.Empty(e.To);
            });
    }

    [Fact]
    public async Task A_trace_that_cannot_be_written_does_not_change_the_answer()
    {
        var handler = new RefusalTraceHandler(new Refusing(), new BrokenTrace(), TimeProvider.System, NullLogger.Instance);

        var refused = await handler.OnRecipientAsync(Facts, null, new Mailbox("mallory", "example.test"), RecipientParameters.None, default);

        Assert.Equal(UnknownUser, refused.Verdict.Reply);
    }

    /// <summary>Refuses "mallory" and senders at bad.test; accepts everything else.</summary>
    private sealed class Refusing : ISmtpSessionHandler
    {
        public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken) => ValueTask.FromResult(Verdict.Continue);

        public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) => ValueTask.FromResult(Verdict.Continue);

        public ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken) =>
            ValueTask.FromResult(from?.Domain == "bad.test" ? Verdict.Reject(new SmtpReply(550, "5.7.1", "Sender refused")) : Verdict.Continue);

        public ValueTask<RecipientDecision> OnRecipientAsync(SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken) =>
            ValueTask.FromResult(recipient.LocalPart == "mallory" ? new RecipientDecision(Verdict.Reject(UnknownUser), MailDirection.Inbound) : RecipientDecision.Accept(MailDirection.Inbound));

        public ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken) =>
            ValueTask.FromResult<(Verdict, IMessageWriter?)>((Verdict.Continue, null));
    }

    private sealed class ListTrace : ITraceLog
    {
        public List<TraceEvent> Events { get; } = [];

        public ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
        {
            Events.Add(traceEvent);
            return ValueTask.CompletedTask;
        }

        public IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken) => Events.ToAsyncEnumerable();
    }

    private sealed class BrokenTrace : ITraceLog
    {
        public ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken) => throw new IOException("disk full");

        public IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken) => throw new IOException("disk full");
    }
}
