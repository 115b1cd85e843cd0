using System.Text;
using System.Text.Json;

namespace Gateway.Queue.Tests.Store;

public sealed class QueueOperationsTests
{
    [Fact]
    public async Task Without_a_state_file_every_recipient_is_pending_and_due()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message(), envelope: SpoolTestContext.MakeEnvelope("a@example.test", "b@example.test")));

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);

        Assert.NotNull(entry);
        Assert.Equal(id, entry.State.Id);
        Assert.Equal(ctx.Time.GetUtcNow(), entry.State.NextAttemptAt);
        Assert.Equal(0, entry.State.Attempts);
        Assert.False(entry.State.DelayNoticeSent);
        Assert.Equal(["a@example.test", "b@example.test"], entry.State.Recipients.Select(r => r.Address));
        Assert.All(entry.State.Recipients, r => Assert.Equal(RecipientStatus.Pending, r.Status));
        Assert.False(entry.Held);
        Assert.Empty(ctx.Files("state"));
    }

    [Fact]
    public async Task State_round_trips_through_an_atomic_replace()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message(), envelope: SpoolTestContext.MakeEnvelope("a@example.test", "b@example.test")));
        var at = ctx.Time.GetUtcNow();
        var state = new MessageState(
            id,
            [
                new RecipientState("a@example.test", RecipientStatus.Delivered, 1, "250 2.0.0 ok", "mx.example.test", at),
                new RecipientState("b@example.test", RecipientStatus.Pending, 2, "451 4.7.1 greylisted", null, at.AddMinutes(1)),
            ],
            at.AddMinutes(10),
            true,
            2);

        await ctx.Store.SaveStateAsync(state, CancellationToken.None);
        await ctx.Store.SaveStateAsync(state with { Attempts = 3 }, CancellationToken.None);
        var read = (await ctx.Store.GetAsync(id, CancellationToken.None))!.State;

        Assert.Equal(id, read.Id);
        Assert.Equal(state.Recipients, read.Recipients);
        Assert.Equal(state.NextAttemptAt, read.NextAttemptAt);
        Assert.True(read.DelayNoticeSent);
        Assert.Equal(3, read.Attempts);
        Assert.Equal([id + ".json"], ctx.Files("state"));
        Assert.True(ctx.Io.DirectoryFlushes[Path.Combine(ctx.QueueRoot, "state")] >= 2);

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ctx.QueueRoot, "state", id + ".json")));
        var first = json.RootElement.GetProperty("recipients")[0];
        Assert.Equal("delivered", first.GetProperty("status").GetString());
        Assert.Equal("250 2.0.0 ok", first.GetProperty("last_reply").GetString());
        Assert.True(json.RootElement.GetProperty("delay_notice_sent").GetBoolean());
    }

    [Fact]
    public async Task A_failed_state_write_keeps_the_old_state_and_leaves_no_temp_file()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        var state = (await ctx.Store.GetAsync(id, CancellationToken.None))!.State;
        await ctx.Store.SaveStateAsync(state with { Attempts = 1 }, CancellationToken.None);

        ctx.Io.FileFlushFailure = FaultySpoolIo.IoError();
        await Assert.ThrowsAsync<IOException>(async () => await ctx.Store.SaveStateAsync(state with { Attempts = 2 }, CancellationToken.None));

        Assert.Equal(1, (await ctx.Store.GetAsync(id, CancellationToken.None))!.State.Attempts);
        Assert.Equal([id + ".json"], ctx.Files("state"));
    }

    [Fact]
    public async Task An_unreadable_state_file_means_pending_not_lost()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        File.WriteAllText(Path.Combine(ctx.QueueRoot, "state", id + ".json"), "{ not json");

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);

        Assert.NotNull(entry);
        Assert.All(entry.State.Recipients, r => Assert.Equal(RecipientStatus.Pending, r.Status));
    }

    [Fact]
    public async Task Hold_and_release_toggle_the_marker_and_are_traced()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));

        await ctx.Store.HoldAsync(id, "held by admin via gateway queue hold", CancellationToken.None);
        await ctx.Store.HoldAsync(id, CancellationToken.None);
        Assert.True((await ctx.Store.GetAsync(id, CancellationToken.None))!.Held);
        Assert.Equal([id], ctx.Files("hold"));

        await ctx.Store.ReleaseAsync(id, CancellationToken.None);
        Assert.False((await ctx.Store.GetAsync(id, CancellationToken.None))!.Held);
        Assert.Empty(ctx.Files("hold"));

        var events = await ctx.TraceEventsAsync();
        Assert.Equal(["received", "held", "held", "released"], events.Select(e => e.Event));
        Assert.Equal("held by admin via gateway queue hold", events[1].Detail);
    }

    [Fact]
    public async Task Operations_on_unknown_or_malformed_ids_are_refused()
    {
        await using var ctx = new SpoolTestContext();
        const string unknown = "0123456789abcdef";

        Assert.Null(await ctx.Store.GetAsync(unknown, CancellationToken.None));
        Assert.Null(await ctx.Store.GetAsync("../../etc/passwd", CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await ctx.Store.HoldAsync(unknown, CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await ctx.Store.ReleaseAsync(unknown, CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await ctx.Store.RetryNowAsync(unknown, CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await ctx.Store.OpenMessageAsync(unknown, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ctx.Store.HoldAsync("../x", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ctx.Store.RemoveAsync("ABCDEFGHIJKLMNOP", "x", CancellationToken.None));
        await ctx.Store.RemoveAsync(unknown, "nothing there", CancellationToken.None);
        Assert.Empty(await ctx.TraceEventsAsync());
    }

    [Fact]
    public async Task Retry_now_makes_the_message_due_and_keeps_outcomes()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message(), envelope: SpoolTestContext.MakeEnvelope("a@example.test", "b@example.test")));
        var state = (await ctx.Store.GetAsync(id, CancellationToken.None))!.State;
        var later = ctx.Time.GetUtcNow().AddHours(1);
        await ctx.Store.SaveStateAsync(
            state with
            {
                NextAttemptAt = later,
                Attempts = 4,
                Recipients = [state.Recipients[0] with { Status = RecipientStatus.Delivered }, state.Recipients[1] with { Attempts = 4 }],
            },
            CancellationToken.None);
        ctx.Time.Advance(TimeSpan.FromMinutes(7));

        await ctx.Store.RetryNowAsync(id, CancellationToken.None);
        var read = (await ctx.Store.GetAsync(id, CancellationToken.None))!.State;

        Assert.Equal(ctx.Time.GetUtcNow(), read.NextAttemptAt);
        Assert.Equal(4, read.Attempts);
        Assert.Equal(RecipientStatus.Delivered, read.Recipients[0].Status);
        Assert.Equal(4, read.Recipients[1].Attempts);
        Assert.Contains(await ctx.TraceEventsAsync(), e => e.Event == "retry" && e.QueueId == id);
    }

    [Fact]
    public async Task Remove_deletes_every_file_and_writes_an_audit_event()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        await ctx.Store.SaveStateAsync((await ctx.Store.GetAsync(id, CancellationToken.None))!.State, CancellationToken.None);
        await ctx.Store.HoldAsync(id, CancellationToken.None);

        await ctx.Store.RemoveAsync(id, "deleted by admin via CLI", CancellationToken.None);

        Assert.Null(await ctx.Store.GetAsync(id, CancellationToken.None));
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("state"));
        Assert.Empty(ctx.Files("hold"));
        var deleted = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "deleted");
        Assert.Equal(id, deleted.QueueId);
        Assert.Equal("deleted by admin via CLI", deleted.Detail);

        // A state saved after the removal (a racing scheduler) creates no orphan.
        await ctx.Store.SaveStateAsync(MessageState.Initial(new QueuedEnvelope { QueueId = id, ReceivedAt = default, Origin = "smtp", Recipients = [] }), CancellationToken.None);
        Assert.Empty(ctx.Files("state"));
    }

    [Fact]
    public async Task Enqueue_spools_a_notice_exactly_as_given()
    {
        await using var ctx = new SpoolTestContext();
        var queued = new List<string>();
        ctx.Store.MessageQueued += queued.Add;
        var notice = Encoding.ASCII.GetBytes("From: MAILER-DAEMON@mx.gateway.test\r\nTo: alice@example.org\r\nSubject: Undelivered Mail\r\n\r\nSorry.\r\n");
        var envelope = SpoolTestContext.NoticeEnvelope("alice@example.org");

        var id = await ctx.Store.EnqueueAsync(envelope, notice, CancellationToken.None);

        Assert.True(QueueId.IsValid(id));
        Assert.Equal([id], queued);
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(entry);
        Assert.Equal(QueuedEnvelope.NoticeOrigin, entry.Envelope.Origin);
        Assert.Null(entry.Envelope.From);
        Assert.Equal(ctx.Time.GetUtcNow(), entry.Envelope.ReceivedAt);
        Assert.Equal(notice, await SpoolWriteTests.ReadAllAsync(ctx.Store, id));
        Assert.Equal(1, ctx.Io.DirectoryFlushes[ctx.Messages]);
    }

    [Fact]
    public async Task Enqueue_throws_when_the_disk_fails()
    {
        await using var ctx = new SpoolTestContext();
        ctx.Io.FileFlushFailure = FaultySpoolIo.DiskFull();
        var envelope = new QueuedEnvelope { QueueId = string.Empty, ReceivedAt = default, Origin = QueuedEnvelope.NoticeOrigin, Recipients = [] };

        await Assert.ThrowsAsync<IOException>(async () => await ctx.Store.EnqueueAsync(envelope, new byte[] { 1, 2, 3 }, CancellationToken.None));
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    [Fact]
    public async Task List_returns_messages_oldest_first()
    {
        await using var ctx = new SpoolTestContext();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("m" + i))));
            ctx.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var listed = new List<string>();
        await foreach (var entry in ctx.Store.ListAsync(CancellationToken.None))
        {
            listed.Add(entry.Envelope.QueueId);
        }

        Assert.Equal(ids, listed);

        // A second process (the CLI) sees the same queue.
        await using var other = ctx.CreateStore();
        Assert.NotNull(await other.GetAsync(ids[2], CancellationToken.None));
    }
}
