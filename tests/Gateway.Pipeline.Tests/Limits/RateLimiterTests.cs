using System.Net;
using Gateway.Pipeline.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Pipeline.Tests.Limits;

public sealed class RateLimiterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static RateLimitRequest[] One(string subject, int limit, TimeSpan window) =>
        [new RateLimitRequest("client", "connections", subject, limit, window)];

    [Fact]
    public void The_limit_is_hit_at_exactly_the_n_plus_first_event()
    {
        var limiter = new RateLimiter(_time);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(-1, limiter.TryTake(One("192.0.2.1", 3, Minute)));
        }

        Assert.Equal(0, limiter.TryTake(One("192.0.2.1", 3, Minute)));
        Assert.Equal(-1, limiter.TryTake(One("192.0.2.2", 3, Minute)));
    }

    [Fact]
    public void Tokens_come_back_evenly_one_per_window_over_n_and_never_more_than_n()
    {
        var limiter = new RateLimiter(_time);
        for (var i = 0; i < 3; i++)
        {
            limiter.TryTake(One("a", 3, Minute));
        }

        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(0, limiter.TryTake(One("a", 3, Minute)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(-1, limiter.TryTake(One("a", 3, Minute)));
        Assert.Equal(0, limiter.TryTake(One("a", 3, Minute)));

        // A long pause fills the bucket to N, not beyond: the next burst is N again.
        _time.Advance(TimeSpan.FromHours(5));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(-1, limiter.TryTake(One("a", 3, Minute)));
        }

        Assert.Equal(0, limiter.TryTake(One("a", 3, Minute)));
    }

    [Fact]
    public void A_refused_event_takes_nothing_from_the_other_keys()
    {
        var limiter = new RateLimiter(_time);
        RateLimitRequest[] both =
        [
            new("client", "messages", "192.0.2.1", 5, Minute),
            new("network", "messages", "192.0.2.0/24", 1, Minute),
        ];

        Assert.Equal(-1, limiter.TryTake(both));
        Assert.Equal(1, limiter.TryTake(both));
        Assert.Equal(1, limiter.TryTake(both));

        // The client key lost one token (the first event), not three.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(-1, limiter.TryTake([both[0]]));
        }

        Assert.Equal(0, limiter.TryTake([both[0]]));
    }

    [Fact]
    public void A_lower_limit_from_a_reload_applies_to_a_bucket_at_once()
    {
        var limiter = new RateLimiter(_time);
        limiter.TryTake(One("a", 100, Minute));
        Assert.Equal(-1, limiter.TryTake(One("a", 2, Minute)));
        Assert.Equal(-1, limiter.TryTake(One("a", 2, Minute)));
        Assert.Equal(0, limiter.TryTake(One("a", 2, Minute)));
    }

    [Fact]
    public void Idle_keys_are_swept_and_the_number_of_keys_never_exceeds_the_bound()
    {
        var limiter = new RateLimiter(_time, maxKeys: 100);
        for (var i = 0; i < 50; i++)
        {
            limiter.TryTake(One("idle-" + i, 10, Minute));
        }

        Assert.Equal(50, limiter.Count);

        // Refilled after a window: they are swept with the next event after the sweep interval.
        _time.Advance(TimeSpan.FromMinutes(2));
        limiter.TryTake(One("fresh", 10, Minute));
        Assert.Equal(1, limiter.Count);

        // A flood of busy keys (each bucket empty, so none is idle): the least recently used go.
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(-1, limiter.TryTake(One(IPAddress.Parse("198.51.100.1").ToString() + "-" + i, 1, TimeSpan.FromHours(1))));
            Assert.True(limiter.Count <= 100, $"{limiter.Count} keys");
        }

        Assert.True(limiter.Evicted > 0);

        // The most recent key was kept: it is still empty.
        Assert.Equal(0, limiter.TryTake(One("198.51.100.1-999", 1, TimeSpan.FromHours(1))));
    }
}
