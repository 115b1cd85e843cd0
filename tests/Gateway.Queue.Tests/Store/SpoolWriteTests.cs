using System.Text;
using Gateway.Queue.Headers;

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

        var seenDuringFlush = await inFlush.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(seenDuringFlush);
        Assert.Equal(1, ctx.Io.FileFlushes);
        await Task.Delay(50);
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
    public async Task The_stored_message_is_our_received_field_then_exactly_the_bytes_written(int chunk)
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
        var expectedHeader = Encoding.UTF8.GetBytes(ReceivedHeader.Build(entry.Envelope, SpoolTestContext.HostName, ctx.Time.GetUtcNow()));
        var stored = await ReadAllAsync(ctx.Store, id);

        Assert.Equal(expectedHeader.Concat(message).ToArray(), stored);
        Assert.Equal(stored.Length, entry.MessageBytes);
        Assert.StartsWith("Received: from ", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
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

    [Theory]
    [InlineData(50, 250)]
    [InlineData(51, 554)]
    public async Task More_received_fields_than_the_limit_is_a_routing_loop(int count, int expected)
    {
        await using var ctx = new SpoolTestContext(maxReceived: 50);
        var message = MessageWithReceived(count);

        var reply = await ctx.SendAsync(message, chunk: 3);

        Assert.Equal(expected, reply.Code);
        if (expected == 554)
        {
            Assert.Equal("554 5.4.6 Routing loop detected: too many Received headers", reply.ToString());
            Assert.Empty(ctx.Files("messages"));
            Assert.Empty(ctx.Files("incoming"));
        }
        else
        {
            Assert.Single(ctx.Files("messages"));
        }
    }

    [Fact]
    public async Task Received_lines_in_the_body_do_not_count()
    {
        await using var ctx = new SpoolTestContext(maxReceived: 2);
        var body = string.Concat(Enumerable.Repeat("Received: from quoted.example by x; Mon, 1 Jan 2024 00:00:00 +0000\r\n", 10));
        var reply = await ctx.SendAsync(SpoolTestContext.Message("Quoted", body), chunk: 1);

        Assert.Equal(250, reply.Code);
    }

    [Fact]
    public async Task A_header_section_longer_than_the_bound_is_cut_there()
    {
        // Only the first MaxHeaderSectionBytes are examined: Received fields beyond them count as body.
        await using var ctx = new SpoolTestContext(maxReceived: 2, maxHeaderSection: 300);
        var filler = string.Concat(Enumerable.Repeat("X-Filler: 0123456789012345678901234567890123456789\r\n", 10));
        var received = string.Concat(Enumerable.Repeat("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n", 5));
        var message = Encoding.ASCII.GetBytes(filler + received + "\r\nbody\r\n");

        Assert.Equal(250, (await ctx.SendAsync(message, chunk: 64)).Code);

        var looping = Encoding.ASCII.GetBytes(received + filler + "\r\nbody\r\n");
        Assert.Equal(554, (await ctx.SendAsync(looping, chunk: 64)).Code);
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

    internal static byte[] MessageWithReceived(int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append(i % 2 == 0 ? "Received: " : "RECEIVED : ").Append("from hop").Append(i)
                .Append(".example by hop").Append(i + 1).Append(".example; Mon, 1 Jan 2024 00:00:00 +0000\r\n");
        }

        sb.Append("Subject: loop\r\n\r\nbody\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
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
