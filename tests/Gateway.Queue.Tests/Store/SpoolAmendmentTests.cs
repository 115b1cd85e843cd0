using System.Text;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Store;

/// <summary>
/// The message checks read a message back before it is queued and amend its header (prepend fields, drop
/// fields, quarantine) without the client's bytes being rewritten; the amendment survives restarts and
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
    public async Task Content_is_the_client_bytes_without_our_trace_field()
    {
        await using var ctx = new SpoolTestContext();
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await WriteInChunksAsync(writer, Encoding.ASCII.GetBytes(ClientMessage), 7);

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
    public async Task Prepended_fields_come_first_and_a_dropped_field_is_gone_after_a_restart()
    {
        await using var ctx = new SpoolTestContext();
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(), CancellationToken.None);
        await WriteInChunksAsync(writer, Encoding.ASCII.GetBytes(ClientMessage), 5);
        var forged = ClientMessage.IndexOf("From:", StringComparison.Ordinal);
        var amendment = new MessageAmendment
        {
            PrependHeaders = Encoding.ASCII.GetBytes("Authentication-Results: mx.gateway.test; dkim=none\r\n"),
            RemoveHeaderFields = [new ContentRange(0, forged)],
        };

        var reply = await writer.CompleteAsync(amendment, CancellationToken.None);
        await writer.DisposeAsync();
        var id = SpoolTestContext.QueueIdOf(reply);

        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        var delivered = await ReadAsync(ctx, id);
        Assert.StartsWith("Authentication-Results: mx.gateway.test; dkim=none\r\nReceived: from ", delivered, StringComparison.Ordinal);
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

        var delivered = await ReadAsync(ctx, id);

        Assert.StartsWith("Received: from ", delivered, StringComparison.Ordinal);
        Assert.EndsWith(ClientMessage, delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_amendment_queues_the_message_on_hold()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(new MessageAmendment { HoldReason = "dmarc=fail p=quarantine" }, CancellationToken.None);
        await writer.DisposeAsync();

        var id = SpoolTestContext.QueueIdOf(reply);
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.True(entry!.Held);
        var held = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "held");
        Assert.Equal("dmarc=fail p=quarantine", held.Detail);
    }

    [Fact]
    public async Task Overlapping_removals_are_a_local_error_never_a_250()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(
            new MessageAmendment { RemoveHeaderFields = [new ContentRange(0, 20), new ContentRange(10, 20)] },
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
            new MessageAmendment { PrependHeaders = Encoding.ASCII.GetBytes("X-Test: 1\r\n") }, CancellationToken.None));
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
    public async Task Removals_from_a_header_section_longer_than_the_bound_refuse_the_message()
    {
        await using var ctx = new SpoolTestContext(maxHeaderSection: 64);
        var writer = await WriterWithClientMessageAsync(ctx);

        var reply = await writer.CompleteAsync(new MessageAmendment { RemoveHeaderFields = [new ContentRange(0, 10)] }, CancellationToken.None);
        await writer.DisposeAsync();

        // Never delivered with the forged field in place: refused as too large (RFC 3463 5.3.4), and nothing is kept.
        Assert.Equal((552, "5.3.4"), (reply.Code, reply.EnhancedCode));
        AssertNothingKept(ctx);
    }

    [Fact]
    public async Task A_refusal_by_the_checks_keeps_nothing_and_answers_with_their_reply()
    {
        await using var ctx = new SpoolTestContext();
        var writer = await WriterWithClientMessageAsync(ctx);
        var refusal = new SmtpReply(550, "5.7.1", "Message rejected by the DMARC policy of the sender's domain");

        Assert.Same(refusal, await writer.RefuseAsync(refusal, CancellationToken.None));
        await writer.DisposeAsync();

        AssertNothingKept(ctx);
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
