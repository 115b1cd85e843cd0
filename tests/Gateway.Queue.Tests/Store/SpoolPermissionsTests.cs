namespace Gateway.Queue.Tests.Store;

public sealed class SpoolPermissionsTests
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task The_queue_is_closed_to_group_and_others_whatever_the_umask()
    {
        await using var ctx = new SpoolTestContext();

        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(ctx.QueueRoot) & GroupOrOther);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(ctx.Messages) & GroupOrOther);
    }

    [Fact]
    public async Task A_queue_left_open_by_an_earlier_start_is_closed_at_the_next()
    {
        await using var ctx = new SpoolTestContext();
        File.SetUnixFileMode(ctx.QueueRoot, File.GetUnixFileMode(ctx.QueueRoot) | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        await ctx.RestartAsync();

        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(ctx.QueueRoot) & GroupOrOther);
        Assert.True(File.GetUnixFileMode(ctx.QueueRoot).HasFlag(UnixFileMode.UserWrite));
    }
}
