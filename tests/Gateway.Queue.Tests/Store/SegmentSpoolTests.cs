using System.Text;

namespace Gateway.Queue.Tests.Store;

public sealed class SegmentSpoolTests
{
    [Fact]
    public async Task A_small_message_goes_to_a_segment_with_one_fsync_and_no_file_of_its_own()
    {
        await using var ctx = await OwnerAsync();
        var flushesBefore = ctx.Io.FileFlushes;

        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));

        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
        Assert.Single(ctx.Files("segments"), name => name.EndsWith(".seg", StringComparison.Ordinal));
        Assert.Equal(flushesBefore + 1, ctx.Io.FileFlushes);
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(entry);
        Assert.False(entry.Held);
        Assert.Equal(0, entry.State.Attempts);
    }

    [Fact]
    public async Task A_message_in_a_segment_never_waits_on_a_thread_pool_write()
    {
        // The segment's writer thread and the done marks (written under a lock) once waited on the asynchronous write,
        // which for a synchronously opened file runs on the thread pool: under load the pool starved and acceptance
        // stalled for seconds. Their writes must stay on the calling thread.
        await using var ctx = await OwnerAsync();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));

        await ctx.Store.RemoveAsync(id, "delivered", CancellationToken.None);

        Assert.Equal(0, ctx.Io.AsyncWrites);
        Assert.Single(ctx.Files("segments"), name => name.EndsWith(".done", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_message_reads_back_exactly_from_the_segment()
    {
        await using var ctx = await OwnerAsync();
        var first = SpoolTestContext.Message("first");
        var second = SpoolTestContext.Message("second");
        var firstId = SpoolTestContext.QueueIdOf(await ctx.SendAsync(first));
        var secondId = SpoolTestContext.QueueIdOf(await ctx.SendAsync(second));

        Assert.Equal(first, await SpoolWriteTests.ReadAllAsync(ctx.Store, firstId));
        Assert.Equal(second, await SpoolWriteTests.ReadAllAsync(ctx.Store, secondId));
        Assert.Equal(new[] { firstId, secondId }.Order(StringComparer.Ordinal), await IdsAsync(ctx.Store));
    }

    [Fact]
    public async Task A_message_larger_than_the_write_buffer_takes_the_file_path()
    {
        await using var ctx = await OwnerAsync();
        var big = SpoolTestContext.Message(body: string.Concat(Enumerable.Repeat(new string('b', 998) + "\r\n", 100)));

        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(big));

        Assert.Equal([id + ".msg"], ctx.Files("messages"));
        Assert.Equal(big, await SpoolWriteTests.ReadAllAsync(ctx.Store, id));
    }

    [Fact]
    public async Task A_crash_before_delivery_brings_the_message_back_as_a_file_identical_to_what_was_accepted()
    {
        await using var ctx = await OwnerAsync();
        var message = SpoolTestContext.Message("kept");
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(message));

        await ctx.RestartAsync();
        var recovered = await ctx.Store.RecoverAsync(CancellationToken.None);

        Assert.Equal([id], recovered);
        Assert.Equal([id + ".msg"], ctx.Files("messages"));
        Assert.DoesNotContain(ctx.Files("segments"), name => name.EndsWith(".seg", StringComparison.Ordinal) && name.StartsWith("0000000000000001", StringComparison.Ordinal));
        Assert.Equal(message, await SpoolWriteTests.ReadAllAsync(ctx.Store, id));
        Assert.Empty(ctx.Files("corrupt"));
    }

    [Fact]
    public async Task A_delivered_message_is_not_brought_back_by_recovery()
    {
        await using var ctx = await OwnerAsync();
        var delivered = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("delivered")));
        var pending = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("pending")));

        await ctx.Store.RemoveAsync(delivered, "delivered", CancellationToken.None);
        Assert.Null(await ctx.Store.GetAsync(delivered, CancellationToken.None));
        await ctx.RestartAsync();

        Assert.Equal([pending], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Contains(await ctx.TraceEventsAsync(), e => e.Event == "deleted" && e.QueueId == delivered);
    }

    [Fact]
    public async Task Saving_a_state_moves_the_message_into_messages_once()
    {
        await using var ctx = await OwnerAsync();
        var message = SpoolTestContext.Message("deferred");
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(message));
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);

        await ctx.Store.SaveStateAsync(entry!.State with { Attempts = 1 }, CancellationToken.None);

        Assert.Equal([id + ".msg"], ctx.Files("messages"));
        Assert.Equal(1, (await ctx.Store.GetAsync(id, CancellationToken.None))!.State.Attempts);
        Assert.Equal(message, await SpoolWriteTests.ReadAllAsync(ctx.Store, id));
        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Equal(1, (await ctx.Store.GetAsync(id, CancellationToken.None))!.State.Attempts);
    }

    [Fact]
    public async Task Holding_moves_the_message_into_messages_with_its_marker()
    {
        await using var ctx = await OwnerAsync();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));

        await ctx.Store.HoldAsync(id, CancellationToken.None);

        Assert.Equal([id + ".msg"], ctx.Files("messages"));
        Assert.Equal([id], ctx.Files("hold"));
        Assert.True((await ctx.Store.GetAsync(id, CancellationToken.None))!.Held);
    }

    [Fact]
    public async Task A_failed_fsync_answers_451_and_recovery_does_not_deliver_the_message_later()
    {
        await using var ctx = await OwnerAsync();
        ctx.Io.FileFlushFailure = FaultySpoolIo.IoError();

        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal(451, reply.Code);
        ctx.Io.FileFlushFailure = null;
        await ctx.RestartAsync();
        Assert.Empty(await ctx.Store.RecoverAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_write_cut_short_at_the_end_of_a_segment_is_skipped_quietly()
    {
        await using var ctx = await OwnerAsync();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        await ctx.RestartAsync();
        var segment = SegmentPath(ctx);
        await File.AppendAllTextAsync(segment, "GWS1 " + id[..^1] + "Z 00001000\nGWQ1 12\n{\"queue_id\"");

        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Empty(ctx.Files("corrupt"));
        Assert.Empty(ctx.Files("hold"));
    }

    [Fact]
    public async Task Damage_between_records_sets_the_segment_aside_and_holds_what_follows_it()
    {
        await using var ctx = await OwnerAsync();
        var first = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("first")));
        var second = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("second")));
        await ctx.RestartAsync();
        var segment = SegmentPath(ctx);
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[0] = (byte)'X';
        await File.WriteAllBytesAsync(segment, bytes);

        var recovered = await ctx.Store.RecoverAsync(CancellationToken.None);

        // The first record's header is gone: its bytes stay in corrupt/ for a person; the second is found by its
        // header but could be bytes a client sent, so it waits on hold.
        Assert.Equal([second], recovered);
        Assert.Single(ctx.Files("corrupt"));
        Assert.Equal([second], ctx.Files("hold"));
        Assert.True((await ctx.Store.GetAsync(second, CancellationToken.None))!.Held);
        Assert.Null(await ctx.Store.GetAsync(first, CancellationToken.None));
    }

    [Fact]
    public async Task A_segment_larger_than_any_we_write_is_not_read_but_left_in_place()
    {
        await using var ctx = await OwnerAsync();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        await ctx.RestartAsync();
        var stranger = Path.Combine(ctx.QueueRoot, "segments", "00000000000000ff.seg");
        await using (var file = File.Create(stranger))
        {
            // Sparse: no disk is used, but its length says it is not one of ours.
            file.SetLength(SegmentReader.MaxSegmentBytes + 1);
        }

        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.True(File.Exists(stranger));
        Assert.Empty(ctx.Files("corrupt"));
    }

    [Fact]
    public async Task Another_process_sees_messages_in_segments_and_is_told_why_it_cannot_change_them()
    {
        await using var ctx = await OwnerAsync();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("in flight")));
        await using var cli = ctx.CreateViewer();

        Assert.Equal([id], await IdsAsync(cli));
        Assert.NotNull(await cli.GetAsync(id, CancellationToken.None));
        Assert.Equal(SpoolTestContext.Message("in flight").Length, (await SpoolWriteTests.ReadAllAsync(cli, id)).Length);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => cli.HoldAsync(id, CancellationToken.None).AsTask());
        Assert.Contains("first delivery attempt", refused.Message, StringComparison.Ordinal);
        // A delete from the command line must not look done while the running gateway goes on delivering the message.
        var notDeleted = await Assert.ThrowsAsync<InvalidOperationException>(() => cli.RemoveAsync(id, "deleted by admin", CancellationToken.None).AsTask());
        Assert.Contains("first delivery attempt", notDeleted.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cli.RetryNowAsync(id, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => cli.ReleaseAsync(id, CancellationToken.None).AsTask());
        Assert.Equal([id], await IdsAsync(cli));
        Assert.Equal([id], await IdsAsync(ctx.Store));

        await ctx.Store.RemoveAsync(id, "delivered", CancellationToken.None);
        Assert.Empty(await IdsAsync(cli));
    }

    [Fact]
    public async Task A_notice_we_generate_goes_to_a_segment_too()
    {
        await using var ctx = await OwnerAsync();
        var envelope = SpoolTestContext.NoticeEnvelope("alice@example.org");
        var body = Encoding.ASCII.GetBytes("Subject: notice\r\n\r\nbody\r\n");

        var id = await ctx.Store.EnqueueAsync(envelope, body, CancellationToken.None);

        Assert.Empty(ctx.Files("messages"));
        Assert.Equal(body, await SpoolWriteTests.ReadAllAsync(ctx.Store, id));
    }

    [Fact]
    public async Task A_full_segment_goes_once_every_message_in_it_is_done()
    {
        await using var ctx = await OwnerAsync(segmentSize: 1024);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Each message fills a segment past 1 KiB, so every append starts a new one.
            ids.Add(SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message($"m{i}", new string('x', 1200) + "\r\n"))));
        }

        Assert.Equal(3, Segments(ctx).Length);
        await ctx.Store.RemoveAsync(ids[0], "delivered", CancellationToken.None);
        await ctx.Store.RemoveAsync(ids[1], "delivered", CancellationToken.None);

        // The first two are full and done; the third is still being written to and holds a message.
        Assert.Single(Segments(ctx));
        Assert.Equal([ids[2]], await IdsAsync(ctx.Store));
        await ctx.RestartAsync();
        Assert.Equal([ids[2]], await ctx.Store.RecoverAsync(CancellationToken.None));
    }

    private static string[] Segments(SpoolTestContext ctx) =>
        [.. ctx.Files("segments").Where(name => name.EndsWith(".seg", StringComparison.Ordinal))];

    private static async Task<SpoolTestContext> OwnerAsync(long segmentSize = SegmentSpool.DefaultRotateAt)
    {
        var ctx = new SpoolTestContext(segments: true, segmentSize);
        await ctx.Store.RecoverAsync(CancellationToken.None);
        return ctx;
    }

    private static string SegmentPath(SpoolTestContext ctx) =>
        Directory.EnumerateFiles(Path.Combine(ctx.QueueRoot, "segments"), "*.seg").Single();

    private static async Task<List<string>> IdsAsync(FileQueueStore store)
    {
        var ids = new List<string>();
        await foreach (var entry in store.ListAsync(CancellationToken.None))
        {
            ids.Add(entry.Envelope.QueueId);
        }

        return ids;
    }
}
