using Gateway.Abstractions;
using Gateway.Pipeline.Limits;
using Gateway.Policy;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Pipeline.Tests.Limits.LimitsTestPolicy;

namespace Gateway.Pipeline.Tests.Limits;

public sealed class SessionRateLimitTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = TestDirectories.CreateTemp("limits");
    private readonly RecordingMetrics _metrics = new();
    private readonly LimitsState _state;

    public SessionRateLimitTests()
    {
        _state = new LimitsState(new RateLimiter(_time), Greylist.Open(_directory, _time, NullLogger.Instance, TimeSpan.Zero), _time, _metrics);
    }

    public void Dispose()
    {
        _state.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private SessionLimits Limits(RateLimitsPolicy rates) => SessionLimits.Create(With(rates), _state, NullLogger.Instance)!;

    [Fact]
    public void Without_limits_or_greylisting_there_is_nothing_to_ask() =>
        Assert.Null(SessionLimits.Create(With(), _state, NullLogger.Instance));

    [Fact]
    public void The_connection_over_the_limit_gets_421_4_7_0_and_is_closed()
    {
        var limits = Limits(new RateLimitsPolicy { PerClient = new RateLimitSet { Connections = 3 } });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limits.OnConnect(Facts("192.0.2.1"), Anonymous).IsContinue);
        }

        var verdict = limits.OnConnect(Facts("192.0.2.1"), Anonymous);
        Assert.Equal(VerdictAction.Disconnect, verdict.Action);
        Assert.Equal((421, "4.7.0"), (verdict.Reply!.Code, verdict.Reply.EnhancedCode));
        Assert.StartsWith("mx.example.test ", verdict.Reply.Lines[0], StringComparison.Ordinal);
        Assert.Equal(["rate:client:connections"], _metrics.Events);

        // Another address is counted apart, and a minute later the client may connect again.
        Assert.True(limits.OnConnect(Facts("192.0.2.2"), Anonymous).IsContinue);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(limits.OnConnect(Facts("192.0.2.1"), Anonymous).IsContinue);
    }

    [Fact]
    public void Ipv4_clients_are_grouped_by_their_24_network()
    {
        var limits = Limits(new RateLimitsPolicy { PerNetwork = new RateLimitSet { Connections = 2 } });
        Assert.True(limits.OnConnect(Facts("192.0.2.1"), Anonymous).IsContinue);
        Assert.True(limits.OnConnect(Facts("192.0.2.200"), Anonymous).IsContinue);
        Assert.Equal(421, limits.OnConnect(Facts("192.0.2.77"), Anonymous).Reply!.Code);

        // The IPv4-mapped spelling of the same network (a dual-stack listener) is the same network.
        Assert.Equal(421, limits.OnConnect(Facts("::ffff:192.0.2.9"), Anonymous).Reply!.Code);
        Assert.True(limits.OnConnect(Facts("192.0.3.1"), Anonymous).IsContinue);
    }

    [Fact]
    public void Ipv6_clients_are_grouped_by_their_64_network_and_the_prefix_is_configurable()
    {
        var limits = Limits(new RateLimitsPolicy { PerNetwork = new RateLimitSet { Connections = 2 } });
        Assert.True(limits.OnConnect(Facts("2001:db8:1:2::1"), Anonymous).IsContinue);
        Assert.True(limits.OnConnect(Facts("2001:db8:1:2:ffff:ffff:ffff:ffff"), Anonymous).IsContinue);
        Assert.Equal(421, limits.OnConnect(Facts("2001:db8:1:2::abcd"), Anonymous).Reply!.Code);
        Assert.True(limits.OnConnect(Facts("2001:db8:1:3::1"), Anonymous).IsContinue);

        var wide = Limits(new RateLimitsPolicy { PerNetwork = new RateLimitSet { Connections = 1 }, Ipv4Prefix = 16, Ipv6Prefix = 48 });
        Assert.True(wide.OnConnect(Facts("198.51.1.1"), Anonymous).IsContinue);
        Assert.Equal(421, wide.OnConnect(Facts("198.51.200.1"), Anonymous).Reply!.Code);
        Assert.True(wide.OnConnect(Facts("2001:db8:5::1"), Anonymous).IsContinue);
        Assert.Equal(421, wide.OnConnect(Facts("2001:db8:5:ffff::1"), Anonymous).Reply!.Code);
    }

    [Fact]
    public void Messages_over_the_limit_get_450_4_7_1_at_mail_from()
    {
        var limits = Limits(new RateLimitsPolicy { PerClient = new RateLimitSet { Messages = 2 } });
        var from = new Mailbox("a", "sender.example");
        Assert.True(limits.OnMailFrom(Facts("192.0.2.1"), Anonymous, from).IsContinue);
        Assert.True(limits.OnMailFrom(Facts("192.0.2.1"), Anonymous, null).IsContinue);
        var verdict = limits.OnMailFrom(Facts("192.0.2.1"), Anonymous, from);
        Assert.Equal(VerdictAction.TempFail, verdict.Action);
        Assert.Equal((450, "4.7.1"), (verdict.Reply!.Code, verdict.Reply.EnhancedCode));
    }

    [Fact]
    public void Recipients_over_the_limit_get_452_4_5_3_at_rcpt()
    {
        var limits = Limits(new RateLimitsPolicy { PerNetwork = new RateLimitSet { Recipients = 3, Window = TimeSpan.FromHours(1) } });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limits.OnRecipient(Facts("192.0.2." + (i + 1)), Anonymous, null).IsContinue);
        }

        var verdict = limits.OnRecipient(Facts("192.0.2.50"), Anonymous, null);
        Assert.Equal(VerdictAction.TempFail, verdict.Action);
        Assert.Equal((452, "4.5.3"), (verdict.Reply!.Code, verdict.Reply.EnhancedCode));
        Assert.Equal(["rate:network:recipients"], _metrics.Events);

        // One window/N later (20 minutes), one more.
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.True(limits.OnRecipient(Facts("192.0.2.50"), Anonymous, null).IsContinue);
        Assert.False(limits.OnRecipient(Facts("192.0.2.50"), Anonymous, null).IsContinue);
    }

    [Fact]
    public void Trusted_and_authenticated_clients_are_exempt_unless_apply_to_trusted()
    {
        var rates = new RateLimitsPolicy { PerClient = new RateLimitSet { Connections = 1, Messages = 1 } };
        var limits = Limits(rates);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limits.OnConnect(Facts("10.1.2.3"), Trusted).IsContinue);
            Assert.True(limits.OnMailFrom(Facts("203.0.113.5", "alice"), User("alice"), null).IsContinue);
        }

        var applied = Limits(rates with { ApplyToTrusted = true });
        Assert.True(applied.OnConnect(Facts("10.1.2.4"), Trusted).IsContinue);
        Assert.Equal(421, applied.OnConnect(Facts("10.1.2.4"), Trusted).Reply!.Code);
    }

    [Fact]
    public void Per_user_limits_apply_to_authenticated_users_whatever_else_is_exempt()
    {
        var limits = Limits(new RateLimitsPolicy { PerUser = new RateLimitSet { Messages = 2, Recipients = 10, Window = TimeSpan.FromHours(1) } });
        var from = new Mailbox("alice", "example.test");
        Assert.True(limits.OnMailFrom(Facts("203.0.113.5", "alice"), User("alice"), from).IsContinue);
        Assert.True(limits.OnMailFrom(Facts("198.51.100.7", "alice"), User("alice"), from).IsContinue);
        var verdict = limits.OnMailFrom(Facts("203.0.113.5", "alice"), User("alice"), from);
        Assert.Equal(450, verdict.Reply!.Code);
        Assert.Contains("user", verdict.Reply.Lines[0], StringComparison.Ordinal);
        Assert.Equal(["rate:user:messages"], _metrics.Events);

        // Another user, and anonymous clients, are not counted by it.
        Assert.True(limits.OnMailFrom(Facts("203.0.113.5", "bob"), User("bob"), from).IsContinue);
        Assert.True(limits.OnMailFrom(Facts("203.0.113.5"), Anonymous, from).IsContinue);
    }

    [Fact]
    public void Per_sender_limits_count_the_envelope_sender_whichever_client_sends_and_not_the_null_sender()
    {
        var limits = Limits(new RateLimitsPolicy { PerSender = new RateLimitSet { Messages = 2, Window = TimeSpan.FromHours(1) } });
        Assert.True(limits.OnMailFrom(Facts("192.0.2.1"), Anonymous, new Mailbox("News", "bulk.example")).IsContinue);
        Assert.True(limits.OnMailFrom(Facts("198.51.100.1"), Anonymous, new Mailbox("news", "bulk.example")).IsContinue);
        Assert.Equal(450, limits.OnMailFrom(Facts("203.0.113.1"), Anonymous, new Mailbox("news", "BULK.example")).Reply!.Code);
        Assert.True(limits.OnMailFrom(Facts("203.0.113.1"), Anonymous, new Mailbox("other", "bulk.example")).IsContinue);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limits.OnMailFrom(Facts("203.0.113.1"), Anonymous, null).IsContinue);
        }
    }

    [Fact]
    public void The_counts_survive_a_policy_reload_because_the_state_belongs_to_the_process()
    {
        var before = Limits(new RateLimitsPolicy { PerClient = new RateLimitSet { Connections = 2 } });
        Assert.True(before.OnConnect(Facts("192.0.2.1"), Anonymous).IsContinue);
        Assert.True(before.OnConnect(Facts("192.0.2.1"), Anonymous).IsContinue);

        // A reload builds a new snapshot over the same state; the client has used up its two.
        var after = Limits(new RateLimitsPolicy { PerClient = new RateLimitSet { Connections = 2 }, MaxTracked = 5000 });
        Assert.Equal(421, after.OnConnect(Facts("192.0.2.1"), Anonymous).Reply!.Code);
        Assert.Equal(5000, _state.Rates.MaxKeys);
    }
}
