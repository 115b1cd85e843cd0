using System.Text;

namespace Gateway.Queue.Tests.Store;

public sealed class RecoveryTests
{
    [Fact]
    public async Task Recovery_keeps_good_messages_and_sets_aside_damaged_ones()
    {
        await using var ctx = new SpoolTestContext();
        var good = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("good")));
        var truncated = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("truncated")));
        var badEnd = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("bad end")));
        var flipped = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("flipped")));
        await ctx.Store.SaveStateAsync(
            (await ctx.Store.GetAsync(truncated, CancellationToken.None))!.State with { Attempts = 3 }, CancellationToken.None);
        await ctx.Store.HoldAsync(badEnd, CancellationToken.None);

        var messages = ctx.Messages;
        var bytes = File.ReadAllBytes(Path.Combine(messages, truncated + ".msg"));
        File.WriteAllBytes(Path.Combine(messages, truncated + ".msg"), bytes[..^10]);
        bytes = File.ReadAllBytes(Path.Combine(messages, badEnd + ".msg"));
        bytes[^5] = (byte)'x';
        File.WriteAllBytes(Path.Combine(messages, badEnd + ".msg"), bytes);
        bytes = File.ReadAllBytes(Path.Combine(messages, flipped + ".msg"));
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(Path.Combine(messages, flipped + ".msg"), bytes);
        File.WriteAllText(Path.Combine(ctx.Incoming, "0000000000000000.tmp"), "partial");
        File.WriteAllText(Path.Combine(messages, "not-an-id.msg"), "junk");
        File.WriteAllText(Path.Combine(ctx.QueueRoot, "state", "vvvvvvvvvvvvvvvv.json"), "{}");
        File.WriteAllText(Path.Combine(ctx.QueueRoot, "state", good + ".json.abc.tmp"), "{");

        await ctx.RestartAsync();
        var ids = await ctx.Store.RecoverAsync(CancellationToken.None);

        Assert.Equal([good], ids);
        Assert.Equal([good + ".msg"], ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
        Assert.Equal(
            new[] { badEnd + ".msg", flipped + ".msg", "not-an-id.msg", truncated + ".msg" }.Order(StringComparer.Ordinal),
            ctx.Files("corrupt"));
        Assert.Empty(ctx.Files("state"));
        Assert.Empty(ctx.Files("hold"));
        var corruptEvents = (await ctx.TraceEventsAsync()).Where(e => e.Event == "corrupt").Select(e => e.QueueId).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { badEnd, flipped, "not-an-id.msg", truncated }.Order(StringComparer.Ordinal), corruptEvents);

        var entry = await ctx.Store.GetAsync(good, CancellationToken.None);
        Assert.NotNull(entry);
        Assert.Contains("Subject: good", Encoding.UTF8.GetString(await SpoolWriteTests.ReadAllAsync(ctx.Store, good)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_cut_at_any_byte_is_discarded_and_only_the_whole_one_survives()
    {
        // What a crash at any instant can leave behind: every proper prefix of a valid file (no 250 was
        // given for it, since the 250 needs the whole file) must be discarded; the whole file is kept.
        await using var ctx = new SpoolTestContext();
        var message = SpoolTestContext.Message("cut", "a\r\nb\r\n");
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(message));
        var path = Path.Combine(ctx.Messages, id + ".msg");
        var whole = File.ReadAllBytes(path);
        var corruptPath = Path.Combine(ctx.Corrupt, id + ".msg");
        await ctx.RestartAsync();
        ctx.Io.SkipSync = true;

        for (var length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(path, whole[..length]);

            var ids = await ctx.Store.RecoverAsync(CancellationToken.None);

            Assert.True(ids.Count == 0, $"a file cut at {length} of {whole.Length} bytes was kept");
            Assert.False(File.Exists(path));
            Assert.True(File.Exists(corruptPath));
            File.Delete(corruptPath);
        }

        File.WriteAllBytes(path, whole);
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        var stored = await SpoolWriteTests.ReadAllAsync(ctx.Store, id);
        Assert.Equal(message, stored[^message.Length..]);
    }

    [Fact]
    public async Task Bytes_after_the_end_record_make_the_file_invalid()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        File.AppendAllText(Path.Combine(ctx.Messages, id + ".msg"), "more\n");

        Assert.Empty(await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Equal([id + ".msg"], ctx.Files("corrupt"));
    }

    [Fact]
    public async Task A_file_under_another_id_is_set_aside()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        File.Move(Path.Combine(ctx.Messages, id + ".msg"), Path.Combine(ctx.Messages, "0123456789abcdef.msg"));

        Assert.Empty(await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Equal(["0123456789abcdef.msg"], ctx.Files("corrupt"));
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_left_in_place_and_the_rest_is_recovered()
    {
        await using var ctx = new SpoolTestContext();
        var good = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("good")));
        var unlucky = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("unlucky")));
        var state = (await ctx.Store.GetAsync(unlucky, CancellationToken.None))!.State;
        await ctx.Store.SaveStateAsync(state with { Attempts = 3 }, CancellationToken.None);
        await ctx.Store.HoldAsync(unlucky, CancellationToken.None);

        // An I/O error on one file at start-up: recovery goes on without it and touches nothing of it.
        await ctx.RestartAsync();
        ctx.Io.OpenReadFailure = path => path.EndsWith(unlucky + ".msg", StringComparison.Ordinal) ? FaultySpoolIo.IoError() : null;
        Assert.Equal([good], await ctx.Store.RecoverAsync(CancellationToken.None));
        Assert.Empty(ctx.Files("corrupt"));

        // Readable again at the next start: the message comes back with its state and its hold.
        ctx.Io.OpenReadFailure = null;
        await ctx.RestartAsync();
        Assert.Equal(new[] { good, unlucky }.Order(StringComparer.Ordinal), await ctx.Store.RecoverAsync(CancellationToken.None));
        var entry = await ctx.Store.GetAsync(unlucky, CancellationToken.None);
        Assert.NotNull(entry);
        Assert.True(entry.Held);
        Assert.Equal(3, entry.State.Attempts);
    }

    [Fact]
    public async Task Recovered_messages_keep_their_state_and_hold()
    {
        await using var ctx = new SpoolTestContext();
        var id = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message()));
        var state = (await ctx.Store.GetAsync(id, CancellationToken.None))!.State;
        await ctx.Store.SaveStateAsync(state with { Attempts = 2, DelayNoticeSent = true }, CancellationToken.None);
        await ctx.Store.HoldAsync(id, CancellationToken.None);

        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));
        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);

        Assert.NotNull(entry);
        Assert.True(entry.Held);
        Assert.Equal(2, entry.State.Attempts);
        Assert.True(entry.State.DelayNoticeSent);
    }
}
