using System.Text;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Store;

/// <summary>
/// The message pipeline reads a message back before it is queued and amends its start (fields on top, the header
/// section without dropped fields, quarantine) without the client's bytes being rewritten; the amendment survives restarts and
/// recovery and is what delivery reads.
/// </summary>
public sealed class SpoolAmendmentTests
{
    private const string ClientMessage =
        "Authentication-Results: mx.gateway.test; dkim=pass (forged)\r\n" +
        "From: alice@example.org\r\n" +
        "Subject: amended\r\n" +
        "\r\n" +
        "Body line\r\n";

    [Fact]
    public async Task Content_is_the_client_bytes_in_place_and_as_a_stream()
    {
        await using var ctx = new SpoolTestContext();
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await WriteInChunksAsync(writer, Encoding.ASCII.GetBytes(ClientMessage), 7);

        Assert.True(writer.TryGetContent(out var inPlace));
        Assert.Equal(ClientMessage, Encoding.ASCII.GetString(inPlace.Span));
        await using (var content = await writer.OpenContentAsync(CancellationToken.None))
        {
            Assert.Equal(ClientMessage, await new StreamReader(content, Encoding.ASCII).ReadToEndAsync());
        }

        Assert.Equal(250, (await writer.CompleteAsync(MessageAmendment.None, CancellationToken.None)).Code);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task Content_larger_than_the_write_buffer_is_read_back_from_the_file_whole()
    {
        // Small messages are read from the write buffer, larger ones from the file: both give the client's bytes.
        await using var ctx = new SpoolTestContext();
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        var body = new StringBuilder();
        for (var i = 0; body.Length < 200 * 1024; i++)
        {
            body.Append("line ").Append(i).Append("\r\n");
        }

        var message = ClientMessage + body;
        await WriteInChunksAsync(writer, Encoding.ASCII.GetBytes(message), 3000);

        Assert.False(writer.TryGetContent(out _));
        await using (var content = await writer.OpenContentAsync(CancellationToken.None))
        {
            Assert.Equal(message, await new StreamReader(content, Encoding.ASCII).ReadToEndAsync());
        }

        var reply = await writer.CompleteAsync(MessageAmendment.None, CancellationToken.None);
        await writer.DisposeAsync();
        Assert.Equal(250, reply.Code);
        Assert.EndsWith(message, await ReadAsync(ctx, SpoolTestContext.QueueIdOf(reply)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prefix_replaces_the_header_section_and_survives_a_restart()
    {
        await using var ctx = new SpoolTestContext();
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await WriteInChunksAsync(writer, Encoding.ASCII.GetBytes(ClientMessage), 5);
        var section = ClientMessage.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var amendment = new MessageAmendment
        {
            Prefix = Encoding.ASCII.GetBytes("Authentication-Results: mx.gateway.test; dkim=none\r\nReceived: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + ClientMessage[ClientMessage.IndexOf("From:", StringComparison.Ordinal)..section]),
            ReplacedLength = section,
        };

        var reply = await writer.CompleteAsync(amendment, CancellationToken.None);
        await writer.DisposeAsync();
        var id = SpoolTestContext.QueueIdOf(reply);

        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        var delivered = await ReadAsync(ctx, id);
        Assert.StartsWith("Authentication-Results: mx.gateway.test; dkim=none\r\nReceived: from x by y", delivered, StringComparison.Ordinal);
        Assert.DoesNotContain("(forged)", delivered, StringComparison.Ordinal);
        Assert.EndsWith("\r\nFrom: alice@example.org\r\nSubject: amended\r\n\r\nBody line\r\n", delivered, StringComparison.Ordinal);
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.Equal(Encoding.ASCII.GetByteCount(delivered), entry!.MessageBytes);
    }

    [Fact]
    public async Task A_message_without_amendment_reads_back_unchanged()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(Encoding.ASCII.GetBytes(ClientMessage)));
        await ctx.RestartAsync();

        Assert.Equal(ClientMessage, await ReadAsync(ctx, id));
    }

    [Fact]
    public async Task The_hold_marker_is_synced_by_the_group_commit_not_on_the_sessions_thread()
    {
        await using var ctx = new SpoolTestContext();
        var hold = Path.Combine(ctx.QueueRoot, "hold");
        var onPoolThread = new List<bool>();
        ctx.Io.BeforeDirectoryFlush = path =>
        {
            if (path == hold)
            {
                onPoolThread.Add(Thread.CurrentThread.IsThreadPoolThread);
            }

            return Task.CompletedTask;
        };
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(new MessageAmendment { Quarantine = new QuarantineNote("test", "quarantine") }, CancellationToken.None);
        await writer.DisposeAsync();

        Assert.Equal(250, reply.Code);
        Assert.Equal([false], onPoolThread);
        Assert.True(File.Exists(Path.Combine(hold, SpoolTestContext.QueueIdOf(reply))));
    }

    [Fact]
    public async Task A_failed_commit_of_a_held_message_leaves_no_marker_behind()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);
        ctx.Io.FileFlushFailure = FaultySpoolIo.IoError();

        var reply = await writer.CompleteAsync(new MessageAmendment { Quarantine = new QuarantineNote("test", "quarantine") }, CancellationToken.None);
        await writer.DisposeAsync();

        Assert.Equal(451, reply.Code);
        AssertNothingKept(ctx);
        Assert.Empty(ctx.Files("hold"));
    }

    [Fact]
    public async Task A_held_amendment_queues_the_message_on_hold()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(new MessageAmendment { Quarantine = new QuarantineNote("dmarc", "dmarc=fail p=quarantine") }, CancellationToken.None);
        await writer.DisposeAsync();

        var id = SpoolTestContext.QueueIdOf(reply);
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.True(entry!.Held);
        var held = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "held");
        Assert.Equal("quarantine (dmarc): dmarc=fail p=quarantine", held.Detail);
        Assert.Equal("dmarc", entry.Quarantine!.Source);
    }

    [Fact]
    public async Task An_amendment_replacing_more_than_the_message_is_a_local_error_never_a_250()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(
            new MessageAmendment { Prefix = "X: y\r\n"u8.ToArray(), ReplacedLength = ClientMessage.Length + 1 },
            CancellationToken.None);
        await writer.DisposeAsync();

        Assert.Equal(451, reply.Code);
        AssertNothingKept(ctx);
    }

    [Fact]
    public async Task Recovery_keeps_an_amended_file_and_sets_aside_one_with_a_damaged_trailer()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);
        var id = SpoolTestContext.QueueIdOf(await writer.CompleteAsync(
            new MessageAmendment { Prefix = Encoding.ASCII.GetBytes("X-Test: 1\r\n") }, CancellationToken.None));
        await writer.DisposeAsync();
        var good = await ctx.SendAsync(Encoding.ASCII.GetBytes(ClientMessage));

        // Flip one byte of the trailer's replacement: the end record's checksum no longer matches.
        var path = Path.Combine(ctx.Messages, id + ".msg");
        var bytes = await File.ReadAllBytesAsync(path);
        var at = bytes.AsSpan().LastIndexOf("X-Test: 1"u8);
        bytes[at + 7] = (byte)'2';
        await File.WriteAllBytesAsync(path, bytes);

        await ctx.RestartAsync();
        await ctx.Store.RecoverAsync(CancellationToken.None);

        Assert.Equal([SpoolTestContext.QueueIdOf(good) + ".msg"], ctx.Files("messages"));
        Assert.Equal([id + ".msg"], ctx.Files("corrupt"));
    }

    [Fact]
    public async Task A_body_whose_last_line_looks_like_a_trailer_tag_is_read_as_body_after_a_restart()
    {
        await using var ctx = new SpoolTestContext();
        var message = "From: alice@example.org\r\nSubject: tricky\r\n\r\nbody\r\nGWQHDR 0000000000000010 000000000000001\r\n";
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(Encoding.ASCII.GetBytes(message)));

        await ctx.RestartAsync();

        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.EndsWith(message, await ReadAsync(ctx, id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_by_the_checks_keeps_nothing_and_answers_with_their_reply()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);
        var refusal = new SmtpReply(550, "5.7.1", "Message rejected by the DMARC policy of the sender's domain");

        Assert.Same(refusal, await writer.RefuseAsync(refusal, ClientMessage.Length, null, CancellationToken.None));
        await writer.DisposeAsync();

        AssertNothingKept(ctx);
        // Kept nowhere but in the trace: who sent what to whom, and the reply they got.
        var refused = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "refused");
        Assert.Equal(writer.QueueId, refused.QueueId);
        Assert.Equal(refusal.ToString(), refused.Reply);
        Assert.Equal(["bob@example.test"], refused.To);
        Assert.StartsWith("origin=", refused.Detail, StringComparison.Ordinal);
        Assert.Contains($"size={ClientMessage.Length}", refused.Detail, StringComparison.Ordinal);
    }

    private static async Task<IInspectableMessageWriter> WriterWithClientMessageAsync(SpoolTestContext ctx)
    {
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await writer.WriteAsync(Encoding.ASCII.GetBytes(ClientMessage), CancellationToken.None);
        return writer;
    }

    /// <summary>A message that was not accepted leaves nothing behind, queued or temporary.</summary>
    private static void AssertNothingKept(SpoolTestContext ctx)
    {
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }

    private static async Task WriteInChunksAsync(IMessageWriter writer, byte[] data, int chunk)
    {
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            await writer.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)), CancellationToken.None);
        }
    }

    private static async Task<string> ReadAsync(SpoolTestContext ctx, string id)
    {
        await using var stream = await ctx.Store.OpenMessageAsync(id, CancellationToken.None);
        var memory = new MemoryStream();
        await stream.CopyToAsync(memory);

        // Read twice through seeking, as the delivery client may: both reads must agree.
        stream.Position = 0;
        var again = new MemoryStream();
        await stream.CopyToAsync(again);
        Assert.Equal(memory.ToArray(), again.ToArray());
        return Encoding.ASCII.GetString(memory.ToArray());
    }
}
