namespace Gateway.Queue.Tests.Store;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Concurrent_writers_share_directory_fsyncs()
    {
        await using var ctx = new SpoolTestContext();

        // A slow directory fsync (as on a real disk) lets the next batch gather while one is being synced.
        ctx.Io.BeforeDirectoryFlush = _ => Task.Delay(25);
        const int writers = 50;
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await ctx.SendAsync(SpoolTestContext.Message("m" + i));
        })).ToArray();
        start.Set();
        var replies = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(replies, r => Assert.Equal(250, r.Code));
        Assert.Equal(writers, replies.Select(SpoolTestContext.QueueIdOf).Distinct().Count());
        Assert.Equal(writers, ctx.Files("messages").Length);
        Assert.Equal(writers, ctx.Io.FileFlushes);
        var directoryFsyncs = ctx.Io.DirectoryFlushes[ctx.Messages];
        Assert.InRange(directoryFsyncs, 1, writers / 5);
    }

    [Fact]
    public async Task A_failed_directory_fsync_fails_the_whole_batch_and_removes_it()
    {
        await using var ctx = new SpoolTestContext();
        ctx.Io.DirectoryFlushFailure = FaultySpoolIo.IoError();

        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => ctx.SendAsync(SpoolTestContext.Message("m" + i))));

        Assert.All(replies, r => Assert.Equal(451, r.Code));
        Assert.Empty(ctx.Files("messages"));
        Assert.Empty(ctx.Files("incoming"));
    }
}
