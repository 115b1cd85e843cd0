using Gateway.Queue.Scheduling;

namespace Gateway.Queue.Tests.Scheduling;

public sealed class RetryScheduleTests
{
    [Fact]
    public void Defaults_are_five_minutes_doubling_to_an_hour_six_hours_and_two_days()
    {
        var schedule = RetrySchedule.Default;

        Assert.Equal(
            [5, 10, 20, 40, 60, 60, 60],
            Enumerable.Range(1, 7).Select(a => schedule.DelayAfter(a).TotalMinutes));
        Assert.Equal(TimeSpan.FromHours(6), schedule.DelayNoticeAfter);
        Assert.Equal(TimeSpan.FromDays(2), schedule.BounceAfter);
    }

    [Fact]
    public void A_huge_attempt_count_stays_at_the_maximum()
    {
        Assert.Equal(TimeSpan.FromHours(1), RetrySchedule.Default.DelayAfter(int.MaxValue));
    }

    [Fact]
    public void The_next_attempt_is_never_after_the_expiry()
    {
        var received = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var schedule = RetrySchedule.Default;

        Assert.Equal(received.AddMinutes(15), schedule.NextAttempt(received, received.AddMinutes(5), 2));
        Assert.Equal(received.AddDays(2), schedule.NextAttempt(received, received.AddDays(2).AddMinutes(-10), 30));
    }

    [Fact]
    public void Factor_one_means_a_fixed_interval()
    {
        var schedule = new RetrySchedule(TimeSpan.FromMinutes(7), TimeSpan.FromHours(1), 1, TimeSpan.FromHours(1), TimeSpan.FromHours(2));

        Assert.Equal(TimeSpan.FromMinutes(7), schedule.DelayAfter(50));
    }

    [Theory]
    [InlineData(0, 60, 2, 60, 120)]
    [InlineData(10, 5, 2, 60, 120)]
    [InlineData(5, 60, 0.5, 60, 120)]
    [InlineData(5, 60, 2, 120, 120)]
    [InlineData(5, 60, 2, 0, 120)]
    [InlineData(5, 60, double.NaN, 60, 120)]
    public void Rejects_inconsistent_settings(int first, int max, double factor, int notice, int bounce)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrySchedule(
            TimeSpan.FromMinutes(first), TimeSpan.FromMinutes(max), factor, TimeSpan.FromMinutes(notice), TimeSpan.FromMinutes(bounce)));
    }
}
