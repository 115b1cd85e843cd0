using Gateway.Host.Hosting;

namespace Gateway.Tests;

public sealed class ServiceNotifierTests
{
    [Theory]
    [InlineData("30000000", null, 30_000)]
    [InlineData("30000000", "4242", 30_000)]
    [InlineData("250000", "", 250)]
    public void The_watchdog_interval_is_systemds_for_this_process(string usec, string? pid, int milliseconds)
    {
        var interval = ServiceNotifier.WatchdogInterval(Environment(usec, pid), 4242);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), interval);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("30s", null)]
    [InlineData("30000000", "17")]
    [InlineData("30000000", "pid")]
    public void No_watchdog_when_it_is_unset_invalid_or_for_another_process(string? usec, string? pid)
    {
        Assert.Null(ServiceNotifier.WatchdogInterval(Environment(usec, pid), 4242));
    }

    private static Func<string, string?> Environment(string? usec, string? pid) => name => name switch
    {
        "WATCHDOG_USEC" => usec,
        "WATCHDOG_PID" => pid,
        _ => null,
    };
}
