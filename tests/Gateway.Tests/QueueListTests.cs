using Gateway.Abstractions;
using Gateway.Host.Cli;
using Gateway.Queue;

namespace Gateway.Tests;

public sealed class QueueListTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static QueueEntry Entry(params RecipientState[] recipients)
    {
        var envelope = new QueuedEnvelope
        {
            QueueId = "06h50su5a1p40obj",
            ReceivedAt = Now.AddMinutes(-5),
            Origin = "smtp",
            From = "alice@example.org",
            Recipients = [.. recipients.Select(r => new QueuedRecipient(r.Address, MailDirection.Outbound, DsnNotify.None, null, null))],
        };
        return new QueueEntry(envelope, MessageState.Initial(envelope) with { Recipients = recipients, Attempts = 1 }, false, 567);
    }

    [Fact]
    public void A_partly_delivered_message_lists_what_is_still_pending_and_why()
    {
        var line = QueueCommand.ListLine(Entry(
            new RecipientState("d@dead.test", RecipientStatus.Pending, 1, "450 4.2.0 mailbox busy", "mx.dead.test", Now.AddMinutes(-2)),
            new RecipientState("e@remote.test", RecipientStatus.Delivered, 1, "250 2.0.0 Ok", "mx.remote.test", Now.AddMinutes(-1))), Now);

        Assert.Contains(" 1/2 d@dead.test 450 4.2.0 mailbox busy", line, StringComparison.Ordinal);
        Assert.DoesNotContain("e@remote.test", line, StringComparison.Ordinal);
        Assert.DoesNotContain("250 2.0.0", line, StringComparison.Ordinal);
        Assert.Contains("deferred", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_reason_of_the_gateways_own_is_marked_ours_as_in_queue_show()
    {
        var own = QueueCommand.ListLine(Entry(
            new RecipientState("d@strict.test", RecipientStatus.Pending, 1, "451 4.7.4 TLS required by policy (encrypt): STARTTLS not offered", "mx.strict.test", Now.AddMinutes(-2))
            {
                LocalReply = true,
            }), Now);
        var remote = QueueCommand.ListLine(Entry(
            new RecipientState("d@dead.test", RecipientStatus.Pending, 1, "450 4.2.0 mailbox busy", "mx.dead.test", Now.AddMinutes(-2))), Now);

        Assert.EndsWith(" d@strict.test ours: 451 4.7.4 TLS required by policy (encrypt): STARTTLS not offered", own, StringComparison.Ordinal);
        Assert.EndsWith(" d@dead.test 450 4.2.0 mailbox busy", remote, StringComparison.Ordinal);
    }
}
