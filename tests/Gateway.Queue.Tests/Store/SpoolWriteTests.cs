using System.Text;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Store;

public sealed class SpoolWriteTests
{
    [Fact]
    public async Task Queued_reply_names_the_id_and_the_file_is_in_messages()
    {
        await using var ctx = new SpoolTestContext();
        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal("250 2.0.0 Ok: queued as " + SpoolTestContext.QueueIdOf(reply), reply.ToString());
        var id = SpoolTestContext.QueueIdOf(reply);
        Assert.True(QueueId.IsValid(id));
        Assert.Equal([id + ".msg"], ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    [Fact]
    public async Task A_new_spool_directory_tree_is_made_durable()
    {
        await using var ctx = new SpoolTestContext();

        Assert.Equal(1, ctx.Io.DirectoryFlushes[ctx.QueueRoot]);
        Assert.Equal(1, ctx.Io.DirectoryFlushes[ctx.Root]);
        await using var again = ctx.CreateStore();
        Assert.Equal(1, ctx.Io.DirectoryFlushes[ctx.QueueRoot]);
    }

    [Fact]
    public async Task The_250_waits_for_the_directory_fsync_after_the_rename()
    {
        await using var ctx = new SpoolTestContext();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlush = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        ctx.Io.BeforeDirectoryFlush = async path =>
        {
            if (path == ctx.Messages)
            {
                inFlush.TrySetResult(Directory.GetFiles(ctx.Messages));
                await gate.Task;
            }
        };

        var message = SpoolTestContext.Message();
        var writer = await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await writer.WriteAsync(message, CancellationToken.None);
        var complete = writer.CompleteAsync(CancellationToken.None).AsTask();

        // The committer holds this message's directory fsync: the flusher is done with it (file synced, renamed),
        // so nothing but this fsync stands between the writer and its 250.
        var seenDuringFlush = await inFlush.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(seenDuringFlush);
        Assert.Equal(1, ctx.Io.FileFlushes);
        Assert.False(complete.IsCompleted);

        gate.SetResult();
        var reply = await complete.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(250, reply.Code);
        await writer.DisposeAsync();
    }

    public static TheoryData<string> IoFaults => ["write", "fsync", "rename", "dirsync"];

    [Theory]
    [MemberData(nameof(IoFaults))]
    public async Task An_io_error_anywhere_gives_451_and_leaves_nothing(string where)
    {
        await using var ctx = new SpoolTestContext();
        SetFault(ctx.Io, where, FaultySpoolIo.IoError());

        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal("451 4.3.0 Local error in processing", reply.ToString());
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    [Theory]
    [MemberData(nameof(IoFaults))]
    public async Task Disk_full_anywhere_gives_452_and_leaves_nothing(string where)
    {
        await using var ctx = new SpoolTestContext();
        SetFault(ctx.Io, where, FaultySpoolIo.DiskFull());

        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal("452 4.3.1 Insufficient system storage", reply.ToString());
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    [Fact]
    public async Task Disk_full_when_creating_the_temp_file_gives_452()
    {
        await using var ctx = new SpoolTestContext();
        ctx.Io.CreateFailure = FaultySpoolIo.DiskFull();

        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal(452, reply.Code);
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    [Fact]
    public async Task The_store_keeps_working_after_a_failure()
    {
        await using var ctx = new SpoolTestContext();
        ctx.Io.FileFlushFailure = FaultySpoolIo.IoError();
        Assert.Equal(451, (await ctx.SendAsync(SpoolTestContext.Message())).Code);

        ctx.Io.FileFlushFailure = null;
        var reply = await ctx.SendAsync(SpoolTestContext.Message());

        Assert.Equal(250, reply.Code);
        Assert.Single(ctx.Files("messages"));
    }

    [Fact]
    public void The_runtime_reports_a_real_enospc_so_that_it_maps_to_452()
    {
        // /dev/full fails every write with ENOSPC: proves the HResult the classifier relies on.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var error = Assert.ThrowsAny<IOException>(() =>
        {
            using var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            stream.Write(new byte[16]);
            stream.Flush();
        });
        Assert.True(SpoolReplies.IsDiskFull(error), $"HResult {error.HResult}: {error.Message}");
        Assert.Equal(452, SpoolReplies.ForFailure(error).Code);
        Assert.Equal(451, SpoolReplies.ForFailure(FaultySpoolIo.IoError()).Code);
    }

    [Fact]
    public async Task Disposing_without_complete_leaves_nothing()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await writer.WriteAsync(SpoolTestContext.Message(), CancellationToken.None);

        // A message smaller than the write buffer has not touched the disk yet; a larger one has its temp file.
        Assert.Empty(ctx.Files("incoming"));
        await writer.WriteAsync(SpoolTestContext.Message(body: new string('x', 998) + "\r\n"), CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await writer.WriteAsync(Encoding.ASCII.GetBytes(new string('y', 998) + "\r\n"), CancellationToken.None);
        }

        Assert.Single(ctx.Files("incoming"));

        await writer.DisposeAsync();

        Assert.Empty(ctx.Files("incoming"));
        Assert.Empty(ctx.Files("messages"));
        await foreach (var _ in ctx.Store.ListAsync(CancellationToken.None))
        {
            Assert.Fail("nothing may be queued");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(200_000)]
    public async Task The_stored_message_is_exactly_the_bytes_written(int chunk)
    {
        await using var ctx = new SpoolTestContext();
        var body = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            body.Append("line ").Append(i).Append(" \u00e9\u00e8 8-bit and a trailing space \r\n");
        }

        var message = SpoolTestContext.Message("Bytes", body.ToString());
        var reply = await ctx.SendAsync(message, chunk);
        var id = SpoolTestContext.QueueIdOf(reply);

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(entry);
        var stored = await ReadAllAsync(ctx.Store, id);

        // The spool only stores: trace fields are the pipeline's, added through an amendment.
        Assert.Equal(message, stored);
        Assert.Equal(stored.Length, entry.MessageBytes);
    }

    [Fact]
    public async Task The_message_stream_is_seekable_and_bounded()
    {
        await using var ctx = new SpoolTestContext();
        var message = SpoolTestContext.Message();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(message));

        await using var stream = await ctx.Store.OpenMessageAsync(id, CancellationToken.None);
        Assert.True(stream.CanSeek);
        stream.Seek(-message.Length, SeekOrigin.End);
        var tail = new byte[message.Length + 100];
        var read = await stream.ReadAtLeastAsync(tail, tail.Length, throwOnEndOfStream: false);

        Assert.Equal(message, tail.AsSpan(0, read).ToArray());
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
    }

    [Fact]
    public async Task Message_queued_fires_once_the_file_is_durable()
    {
        await using var ctx = new SpoolTestContext();
        var seen = new List<(string Id, bool Exists)>();
        ctx.Store.MessageQueued += id => seen.Add((id, File.Exists(Path.Combine(ctx.Messages, id + ".msg"))));

        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));

        Assert.Equal([(id, true)], seen);
        Assert.Equal(1, ctx.Io.DirectoryFlushes[ctx.Messages]);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_undo_the_250()
    {
        await using var ctx = new SpoolTestContext();
        ctx.Store.MessageQueued += _ => throw new InvalidOperationException("scheduler bug");

        Assert.Equal(250, (await ctx.SendAsync(SpoolTestContext.Message())).Code);
    }

    [Fact]
    public async Task The_checks_verdict_is_traced_with_the_acceptance_in_a_segment_and_in_a_file_of_its_own()
    {
        await using var ctx = new SpoolTestContext();
        foreach (var quarantine in new QuarantineNote?[] { null, new("spam", "spam score 12.0 reached the quarantine threshold 10.0") })
        {
            await using var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
            await writer.WriteAsync(SpoolTestContext.Message(), CancellationToken.None);
            Assert.Equal(250, (await writer.CompleteAsync(new MessageAmendment { Verdict = "spam 6.0/5.0 tag", Quarantine = quarantine }, CancellationToken.None)).Code);
        }

        var received = (await ctx.TraceEventsAsync()).Where(e => e.Event == "received").ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, e => Assert.EndsWith("; verdict spam 6.0/5.0 tag", e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Acceptance_is_traced()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message(), envelope: SpoolTestContext.MakeEnvelope("bob@example.test", "carol@example.test")));

        var events = await ctx.TraceEventsAsync();

        var received = Assert.Single(events);
        Assert.Equal("received", received.Event);
        Assert.Equal(id, received.QueueId);
        Assert.Equal("alice@example.org", received.From);
        Assert.Equal(["bob@example.test", "carol@example.test"], received.To);
        Assert.Equal("192.0.2.10", received.Remote);
        Assert.Equal("250 2.0.0 Ok: queued as " + id, received.Reply);
    }


    internal static async Task<byte[]> ReadAllAsync(IQueueStore store, string id)
    {
        await using var stream = await store.OpenMessageAsync(id, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static void SetFault(FaultySpoolIo io, string where, Exception error)
    {
        switch (where)
        {
            case "write":
                io.WriteFailure = error;
                break;
            case "fsync":
                io.FileFlushFailure = error;
                break;
            case "rename":
                io.MoveFailure = error;
                break;
            default:
                io.DirectoryFlushFailure = error;
                break;
        }
    }
}
