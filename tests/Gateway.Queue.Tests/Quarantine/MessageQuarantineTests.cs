using System.Text;
using Gateway.Abstractions;
using Gateway.Queue.Tests.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Queue.Tests.Quarantine;

/// <summary>
/// The quarantine on the spool's hold: items are held messages whose marker records the verdict; they are listed and
/// shown with it, released into the normal queue with a fresh retry clock, deleted, and expired by deletion (never a
/// notice) once the retention has passed on the clock. An operator's plain hold is not an item.
/// </summary>
public sealed class MessageQuarantineTests
{
    private static readonly QuarantineNote Spam = new("spam", "spam score 1000.0 reached the quarantine threshold 10.0")
    {
        Score = 1000,
        Threshold = 10,
        Tests = ["GTUBE=1000"],
    };

    [Fact]
    public async Task A_quarantined_message_is_listed_with_its_verdict_and_time_and_a_plain_hold_is_not()
    {
        await using var ctx = new SpoolTestContext();
        var quarantined = await QuarantineAsync(ctx, Spam);
        var held = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        await ctx.Store.HoldAsync(held, CancellationToken.None);
        var quarantine = Quarantine(ctx);

        var items = await ListAsync(quarantine);

        var item = Assert.Single(items);
        Assert.Equal(quarantined, item.Envelope.QueueId);
        Assert.True(item.Held);
        Assert.Equal(QuarantineRecord.From(Spam, ctx.Time.GetUtcNow()) with { Tests = item.Quarantine!.Tests }, item.Quarantine);
        Assert.Equal(["GTUBE=1000"], item.Quarantine.Tests);
        Assert.Null(await quarantine.GetAsync(held, CancellationToken.None));
        Assert.Null(await quarantine.GetAsync("../etc", CancellationToken.None));
    }

    [Fact]
    public async Task The_record_survives_a_restart_and_the_message_reads_back_as_stored()
    {
        await using var ctx = new SpoolTestContext();
        var id = await QuarantineAsync(ctx, Spam);
        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        var quarantine = Quarantine(ctx);

        var entry = await quarantine.GetAsync(id, CancellationToken.None);

        Assert.Equal("spam", entry!.Quarantine!.Source);
        Assert.Equal(1000, entry.Quarantine.Score);
        await using var message = await quarantine.OpenMessageAsync(id, CancellationToken.None);
        Assert.Contains("Subject: quarantined", await new StreamReader(message, Encoding.UTF8).ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_unholds_it_due_now_with_the_retry_clock_starting_at_the_release()
    {
        await using var ctx = new SpoolTestContext();
        var id = await QuarantineAsync(ctx, Spam);
        ctx.Time.Advance(TimeSpan.FromDays(10));
        var quarantine = Quarantine(ctx);

        Assert.True(await quarantine.ReleaseAsync(id, "tester", null, CancellationToken.None));

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.False(entry!.Held);
        Assert.Null(entry.Quarantine);
        Assert.Equal(ctx.Time.GetUtcNow(), entry.State.NextAttemptAt);
        Assert.Equal(ctx.Time.GetUtcNow(), entry.State.QueuedSince(entry.Envelope));
        Assert.Empty(await ListAsync(quarantine));
        Assert.Contains(await ctx.TraceEventsAsync(), e => e.Event == "released" && e.QueueId == id);

        // Released once: it is no longer an item, so a second release or a delete finds nothing.
        Assert.False(await quarantine.ReleaseAsync(id, "tester", null, CancellationToken.None));
        Assert.False(await quarantine.DeleteAsync(id, "tester", CancellationToken.None));
        Assert.NotNull(await ctx.Store.GetAsync(id, CancellationToken.None));

        // An operator's hold afterwards is a plain hold, not the old item coming back.
        await ctx.Store.HoldAsync(id, CancellationToken.None);
        var rehold = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.True(rehold!.Held);
        Assert.Null(rehold.Quarantine);
    }

    [Fact]
    public async Task Release_with_learning_leaves_a_complete_copy_for_training_and_no_temporary_file()
    {
        await using var ctx = new SpoolTestContext();
        var id = await QuarantineAsync(ctx, Spam);
        var learn = Path.Combine(ctx.Root, "spam", "learn", "ham");

        Assert.True(await Quarantine(ctx).ReleaseAsync(id, "tester", learn, CancellationToken.None));

        // Who released it, and that it was kept to learn from, is in the trace like a deletion's who.
        Assert.Contains(await ctx.TraceEventsAsync(), e => e.Event == "released" && e.QueueId == id
            && e.Detail == "released from the quarantine by tester, kept to learn as ham");
        var copy = Assert.Single(Directory.GetFiles(learn, "*", SearchOption.AllDirectories));
        Assert.Equal(id + ".eml", Path.GetFileName(copy));
        await using var stored = await ctx.Store.OpenMessageAsync(id, CancellationToken.None);
        Assert.Equal(await new StreamReader(stored, Encoding.UTF8).ReadToEndAsync(), await File.ReadAllTextAsync(copy));
    }

    [Fact]
    public async Task Delete_removes_the_message_its_state_and_its_marker_and_traces_who()
    {
        await using var ctx = new SpoolTestContext();
        var id = await QuarantineAsync(ctx, Spam);

        Assert.True(await Quarantine(ctx).DeleteAsync(id, "alice via gateway quarantine", CancellationToken.None));

        Assert.Null(await ctx.Store.GetAsync(id, CancellationToken.None));
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("hold"));
        var deleted = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "deleted");
        Assert.Equal("deleted from the quarantine by alice via gateway quarantine", deleted.Detail);
    }

    [Fact]
    public async Task Items_are_deleted_once_their_retention_has_passed_and_not_a_moment_before_without_a_notice()
    {
        await using var ctx = new SpoolTestContext();
        var old = await QuarantineAsync(ctx, Spam);
        ctx.Time.Advance(TimeSpan.FromDays(20));
        var young = await QuarantineAsync(ctx, new QuarantineNote("dmarc", "dmarc=fail policy.from=careful.test p=quarantine"));
        var queued = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        var quarantine = Quarantine(ctx);
        var retention = TimeSpan.FromDays(30);

        ctx.Time.Advance(TimeSpan.FromDays(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await quarantine.ExpireAsync(retention, CancellationToken.None));
        ctx.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await quarantine.ExpireAsync(retention, CancellationToken.None));

        Assert.Null(await ctx.Store.GetAsync(old, CancellationToken.None));
        Assert.NotNull(await quarantine.GetAsync(young, CancellationToken.None));
        Assert.NotNull(await ctx.Store.GetAsync(queued, CancellationToken.None));
        var events = await ctx.TraceEventsAsync();
        var deleted = Assert.Single(events, e => e.Event == "deleted");
        Assert.Equal(old, deleted.QueueId);
        Assert.StartsWith("quarantine retention of 30.00:00:00 ended", deleted.Detail, StringComparison.Ordinal);

        // No notice of any kind was spooled: the queue holds the young item and the ordinary message only.
        Assert.Equal(2, ctx.Files("messages").Length);
        Assert.DoesNotContain(events, e => e.Event is "bounced" or "notice" or "delayed");
    }

    [Fact]
    public async Task A_marker_whose_record_is_damaged_is_still_an_item_that_expires()
    {
        await using var ctx = new SpoolTestContext();
        var id = await QuarantineAsync(ctx, Spam);
        var marker = Path.Combine(ctx.QueueRoot, "hold", id);
        await File.WriteAllTextAsync(marker, "{ not json");
        File.SetLastWriteTimeUtc(marker, ctx.Time.GetUtcNow().UtcDateTime);
        var quarantine = Quarantine(ctx);

        var entry = await quarantine.GetAsync(id, CancellationToken.None);
        Assert.Equal("unknown", entry!.Quarantine!.Source);

        ctx.Time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(1, await quarantine.ExpireAsync(TimeSpan.FromDays(30), CancellationToken.None));
        Assert.Empty(ctx.Files("messages"));
    }

    private static MessageQuarantine Quarantine(SpoolTestContext ctx) => new(ctx.Store, ctx.Time, NullLogger<MessageQuarantine>.Instance);

    private static async Task<List<QueueEntry>> ListAsync(MessageQuarantine quarantine)
    {
        var items = new List<QueueEntry>();
        await foreach (var entry in quarantine.ListAsync(CancellationToken.None))
        {
            items.Add(entry);
        }

        return items;
    }

    /// <summary>A message accepted by the pipeline with a quarantine note, as the spam or DMARC step hands it over.</summary>
    private static async Task<string> QuarantineAsync(SpoolTestContext ctx, QuarantineNote note)
    {
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await writer.WriteAsync(SpoolTestContext.Message("quarantined"), CancellationToken.None);
        var reply = await writer.CompleteAsync(new MessageAmendment { Quarantine = note }, CancellationToken.None);
        await writer.DisposeAsync();
        return SpoolTestContext.QueueIdOf(reply);
    }
}
