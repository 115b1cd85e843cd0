using System.Text.Json;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Model;

public sealed class MessageStateTests
{
    [Fact]
    public void The_initial_state_has_every_recipient_pending_and_is_due_at_receipt()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var envelope = new QueuedEnvelope
        {
            QueueId = "0123456789abcdef",
            ReceivedAt = at,
            Origin = "smtp",
            Recipients =
            [
                new QueuedRecipient("a@x.test", MailDirection.Inbound, DsnNotify.None, null, null),
                new QueuedRecipient("b@y.test", MailDirection.Outbound, DsnNotify.Never, null, null),
            ],
        };

        var state = MessageState.Initial(envelope);

        Assert.Equal("0123456789abcdef", state.Id);
        Assert.Equal(at, state.NextAttemptAt);
        Assert.Equal(0, state.Attempts);
        Assert.False(state.DelayNoticeSent);
        Assert.Equal(
            [new RecipientState("a@x.test", RecipientStatus.Pending, 0, null, null, null), new RecipientState("b@y.test", RecipientStatus.Pending, 0, null, null, null)],
            state.Recipients);
    }

    [Fact]
    public void Whether_the_last_reply_was_our_own_survives_the_state_file_and_older_files_read_as_remote()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var state = new MessageState("0123456789abcdef", [new RecipientState("a@x.test", RecipientStatus.Pending, 1, "451 4.4.1 refused", "mx.x.test", at, LocalReply: true)], at, false, 1);

        var json = JsonSerializer.Serialize(state, QueueJsonContext.Default.MessageState);
        Assert.True(JsonSerializer.Deserialize(json, QueueJsonContext.Default.MessageState)!.Recipients[0].LocalReply);

        var older = json.Replace(",\"local_reply\":true", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(json, older);
        Assert.False(JsonSerializer.Deserialize(older, QueueJsonContext.Default.MessageState)!.Recipients[0].LocalReply);
    }
}
