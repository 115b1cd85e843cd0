using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Store;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Concurrent_writers_share_directory_fsyncs()
    {
        await using var ctx = new SpoolTestContext();
        const int writers = 50;

        // The first writer's directory fsync is held until every other writer has renamed its file and waits for
        // the next fsync. The committer takes everything waiting when it starts a batch (up to 1024), so the
        // others must all be released by one more fsync: exactly two for fifty writers, whatever the threads do.
        var firstFsync = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ctx.Io.BeforeDirectoryFlush = path =>
        {
            if (path != ctx.Messages)
            {
                return Task.CompletedTask;
            }

            firstFsync.TrySetResult();
            return gate.Task;
        };

        Task<SmtpReply> first;
        Task<SmtpReply>[] others;
        try
        {
            first = ctx.SendAsync(SpoolTestContext.Message("m0"));
            await firstFsync.Task.WaitAsync(TimeSpan.FromSeconds(10));
            others = Enumerable.Range(1, writers - 1).Select(i => Task.Run(() => ctx.SendAsync(SpoolTestContext.Message("m" + i)))).ToArray();
            await WaitUntilAsync(() => ctx.Store.CommitsWaitingForDirectoryFsync == writers - 1);

            // No 250 before the directory fsync that makes the rename durable.
            Assert.False(first.IsCompleted);
            Assert.DoesNotContain(others, t => t.IsCompleted);
        }
        finally
        {
            // Also when an assertion failed: a committer left blocked would hang the store's disposal.
            gate.TrySetResult();
        }

        var replies = await Task.WhenAll([first, .. others]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(replies, r => Assert.Equal(250, r.Code));
        Assert.Equal(writers, replies.Select(SpoolTestContext.QueueIdOf).Distinct().Count());
        Assert.Equal(writers, ctx.Files("messages").Length);
        Assert.Equal(writers, ctx.Io.FileFlushes);
        Assert.Equal(2, ctx.Io.DirectoryFlushes[ctx.Messages]);
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

    /// <summary>Polls a condition the spool's threads make true, failing after ten seconds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(5);
        }
    }
}
