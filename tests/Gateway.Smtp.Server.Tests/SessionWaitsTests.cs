using Gateway.Smtp.Server.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Smtp.Server.Tests;

/// <summary>The session's wait cancellation, armed again for each wait on the injected clock.</summary>
public sealed class SessionWaitsTests
{
    [Fact]
    public void A_wait_that_ends_in_time_leaves_the_next_one_its_whole_limit()
    {
        var time = new FakeTimeProvider();
        using var waits = new SessionWaits(time, CancellationToken.None, CancellationToken.None, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            var token = waits.Arm(TimeSpan.FromSeconds(10), idle: true);
            time.Advance(TimeSpan.FromSeconds(9));
            Assert.False(token.IsCancellationRequested);
            waits.Disarm();
        }

        // Disarmed, the clock may run on without ending anything.
        time.Advance(TimeSpan.FromMinutes(5));
        var last = waits.Arm(TimeSpan.FromSeconds(10), idle: false);
        Assert.False(last.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(last.IsCancellationRequested);
        Assert.True(waits.LimitReached);
    }

    [Fact]
    public void After_a_limit_ran_out_the_next_wait_starts_afresh()
    {
        var time = new FakeTimeProvider();
        using var waits = new SessionWaits(time, CancellationToken.None, CancellationToken.None, CancellationToken.None);
        waits.Arm(TimeSpan.FromSeconds(1), idle: true);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(waits.LimitReached);

        waits.Disarm();
        var next = waits.Arm(TimeSpan.FromSeconds(1), idle: true);

        Assert.False(next.IsCancellationRequested);
        Assert.False(waits.LimitReached);
        waits.Disarm();
    }

    [Fact]
    public void A_stop_ends_waits_for_a_command_at_once_and_waits_for_data_only_at_its_deadline()
    {
        var time = new FakeTimeProvider();
        using var idleStop = new CancellationTokenSource();
        using var hardStop = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource();
        using var waits = new SessionWaits(time, deadline.Token, idleStop.Token, hardStop.Token);

        var data = waits.Arm(TimeSpan.FromMinutes(3), idle: false);
        idleStop.Cancel();
        Assert.False(data.IsCancellationRequested);
        waits.Disarm();

        var command = waits.Arm(TimeSpan.FromMinutes(5), idle: true);
        Assert.True(command.IsCancellationRequested);
        Assert.False(waits.LimitReached);
        waits.Disarm();

        var more = waits.Arm(TimeSpan.FromMinutes(3), idle: false);
        hardStop.Cancel();
        Assert.True(more.IsCancellationRequested);
        Assert.False(waits.LimitReached);
    }

    [Fact]
    public void The_session_deadline_ends_any_wait()
    {
        using var deadline = new CancellationTokenSource();
        using var waits = new SessionWaits(new FakeTimeProvider(), deadline.Token, CancellationToken.None, CancellationToken.None);
        var token = waits.Arm(TimeSpan.FromMinutes(5), idle: false);

        deadline.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.False(waits.LimitReached);
    }
}
