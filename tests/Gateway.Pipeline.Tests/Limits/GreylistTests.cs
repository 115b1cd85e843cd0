using System.Net;
using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Pipeline.Limits;
using Gateway.Policy;
using Gateway.Testing;
using Gateway.Testing.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Pipeline.Tests.Limits.LimitsTestPolicy;

namespace Gateway.Pipeline.Tests.Limits;

public sealed class GreylistTests : IDisposable
{
    private static readonly GreylistingPolicy On = new() { Enabled = true };
    private static readonly Mailbox Sender = new("newsletter", "sender.example");
    private static readonly Mailbox Recipient = new("alice", "example.test");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = TestDirectories.CreateTemp("greylist");
    private readonly RecordingMetrics _metrics = new();
    private readonly List<Greylist> _opened = [];

    public void Dispose()
    {
        foreach (var greylist in _opened)
        {
            greylist.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Greylist Open()
    {
        var greylist = Greylist.Open(_directory, _time, NullLogger.Instance, TimeSpan.Zero);
        _opened.Add(greylist);
        return greylist;
    }

    private SessionLimits Limits(Greylist greylist, GreylistingPolicy? settings = null) =>
        new(With(greylisting: settings ?? On), new LimitsState(new RateLimiter(_time), greylist, _time, _metrics), NullLogger.Instance);

    private static ValueTask<Verdict> Try(SessionLimits limits, string client = "192.0.2.10", Mailbox? from = null, Mailbox? to = null, ClientTrust? trust = null, Task<SpfCheck>? spf = null) =>
        limits.GreylistAsync(Facts(client), trust ?? Anonymous, from ?? Sender, to ?? Recipient, spf, default);

    [Fact]
    public async Task The_first_attempt_gets_450_a_retry_too_early_450_again_and_a_retry_after_the_delay_passes()
    {
        var limits = Limits(Open());

        var first = await Try(limits);
        Assert.Equal(VerdictAction.TempFail, first.Action);
        Assert.Equal((450, "4.7.1"), (first.Reply!.Code, first.Reply.EnhancedCode));
        Assert.StartsWith("Greylisted", first.Reply.Lines[0], StringComparison.Ordinal);
        Assert.Contains("300 seconds", first.Reply.Lines[0], StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(4));
        var early = await Try(limits, client: "192.0.2.99");
        Assert.Equal(450, early.Reply!.Code);
        Assert.Contains("60 seconds", early.Reply.Lines[0], StringComparison.Ordinal);

        // The delay counts from the first attempt, not from the early retry; another host of the same /24 is the same client.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await Try(limits, client: "192.0.2.200")).IsContinue);
        Assert.Equal(["grey:deferred", "grey:too_early", "grey:passed"], _metrics.Events);
    }

    [Fact]
    public async Task The_passed_retry_is_logged_with_the_end_of_the_allowance_as_an_unambiguous_utc_time()
    {
        var logger = new ListLogger();
        var limits = new SessionLimits(With(greylisting: On), new LimitsState(new RateLimiter(_time), Open(), _time, _metrics), logger);
        await Try(limits);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.True((await Try(limits)).IsContinue);

        // Not "04/05/2025 12:05:00 +00:00", which half the world reads as the 4th of May.
        var passed = Assert.Single(logger.Entries, e => e.EventId == 3122);
        Assert.EndsWith("network allowed until 2025-04-05 12:05:00Z", passed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_passed_retry_the_network_is_allowed_for_other_senders_and_recipients_until_the_allowance_runs_out()
    {
        var limits = Limits(Open(), On with { AutoAllow = TimeSpan.FromDays(35) });
        await Try(limits);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await Try(limits)).IsContinue);

        Assert.True((await Try(limits, client: "192.0.2.77", from: new Mailbox("x", "other.example"), to: new Mailbox("bob", "example.test"))).IsContinue);
        Assert.Equal("grey:allowed", _metrics.Events[^1]);

        // Another network is not.
        Assert.Equal(450, (await Try(limits, client: "192.0.3.10")).Reply!.Code);

        // Unused for longer than the allowance: greylisted again.
        _time.Advance(TimeSpan.FromDays(36));
        Assert.Equal(450, (await Try(limits, from: new Mailbox("y", "other.example"))).Reply!.Code);
    }

    [Fact]
    public async Task A_network_that_keeps_sending_stays_allowed()
    {
        var limits = Limits(Open(), On with { AutoAllow = TimeSpan.FromDays(2) });
        await Try(limits);
        _time.Advance(TimeSpan.FromMinutes(6));
        await Try(limits);
        for (var day = 0; day < 5; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
            Assert.True((await Try(limits, from: new Mailbox("day" + day, "other.example"))).IsContinue);
        }
    }

    [Fact]
    public async Task A_retry_after_the_retry_window_starts_again()
    {
        var limits = Limits(Open(), On with { RetryWindow = TimeSpan.FromHours(24) });
        await Try(limits);
        _time.Advance(TimeSpan.FromHours(25));
        var late = await Try(limits);
        Assert.Equal(450, late.Reply!.Code);
        Assert.Equal("grey:deferred", _metrics.Events[^1]);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await Try(limits)).IsContinue);
    }

    [Fact]
    public async Task Ipv6_clients_are_greylisted_by_their_64()
    {
        var limits = Limits(Open());
        await Try(limits, client: "2001:db8:1:2::25");
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(450, (await Try(limits, client: "2001:db8:1:3::25")).Reply!.Code);
        Assert.True((await Try(limits, client: "2001:db8:1:2:ffff::1")).IsContinue);
    }

    [Fact]
    public async Task Trusted_and_authenticated_clients_and_the_allow_lists_are_never_greylisted()
    {
        var settings = On with
        {
            AllowNetworks = [IPNetwork.Parse("198.51.100.0/24")],
            AllowSenderDomains = ["partner.example", ".group.example"],
        };
        var limits = Limits(Open(), settings);

        Assert.True((await Try(limits, client: "10.1.1.1", trust: Trusted)).IsContinue);
        Assert.True((await Try(limits, trust: User("alice"))).IsContinue);
        Assert.True((await Try(limits, client: "198.51.100.20")).IsContinue);
        Assert.True((await Try(limits, from: new Mailbox("a", "partner.example"))).IsContinue);
        Assert.True((await Try(limits, from: new Mailbox("a", "mail.group.example"))).IsContinue);
        Assert.Equal(["grey:allow_list", "grey:allow_list", "grey:allow_list"], _metrics.Events);

        // ".group.example" is its subdomains, not itself; "partner.example" is itself only.
        Assert.Equal(450, (await Try(limits, from: new Mailbox("a", "group.example"))).Reply!.Code);
        Assert.Equal(450, (await Try(limits, from: new Mailbox("a", "x.partner.example"))).Reply!.Code);
    }

    [Fact]
    public async Task A_client_whose_spf_passes_for_the_mail_from_domain_is_not_greylisted()
    {
        var limits = Limits(Open());
        var client = IPAddress.Parse("192.0.2.10");
        var pass = Task.FromResult(new SpfCheck(SpfResult.Pass, SpfCheck.MailFromIdentity, "sender.example", Sender.ToString(), client));
        Assert.True((await Try(limits, spf: pass)).IsContinue);
        Assert.Equal("grey:spf_pass", _metrics.Events[^1]);

        // Not a pass, a pass of the HELO identity, or a lookup that failed: greylisted.
        var softfail = Task.FromResult(new SpfCheck(SpfResult.SoftFail, SpfCheck.MailFromIdentity, "sender.example", Sender.ToString(), client));
        Assert.Equal(450, (await Try(limits, spf: softfail)).Reply!.Code);
        var helo = Task.FromResult(new SpfCheck(SpfResult.Pass, SpfCheck.HeloIdentity, "helo.example", "postmaster@helo.example", client));
        Assert.Equal(450, (await Try(limits, to: new Mailbox("b", "example.test"), spf: helo)).Reply!.Code);
        var failed = Task.FromException<SpfCheck>(new InvalidOperationException("lookup failed"));
        Assert.Equal(450, (await Try(limits, to: new Mailbox("c", "example.test"), spf: failed)).Reply!.Code);
    }

    [Fact]
    public async Task A_client_on_a_dns_allow_list_is_not_greylisted_and_the_lists_are_asked_only_when_it_matters()
    {
        var limits = Limits(Open());
        var asked = 0;
        Assert.True((await limits.GreylistAsync(Facts("192.0.2.10"), Anonymous, Sender, Recipient, null, default, () =>
        {
            asked++;
            return ValueTask.FromResult(true);
        })).IsContinue);
        Assert.Equal("grey:allow_list", _metrics.Events[^1]);
        Assert.Equal(1, asked);

        // Not listed: greylisted as any other client.
        Assert.Equal(450, (await limits.GreylistAsync(Facts("192.0.2.11"), Anonymous, Sender, Recipient, null, default, () => ValueTask.FromResult(false))).Reply!.Code);

        // A trusted client is let through before the lists are asked at all.
        Assert.True((await limits.GreylistAsync(Facts("192.0.2.12"), Trusted, Sender, Recipient, null, default, () =>
        {
            asked++;
            return ValueTask.FromResult(true);
        })).IsContinue);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task The_state_is_written_and_read_back_so_a_restart_does_not_greylist_everyone_again()
    {
        var first = Open();
        var limits = Limits(first);
        await Try(limits);                               // pending, retried after the restart
        await Try(limits, client: "198.51.100.1");       // passes before the restart: its network is allowed
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await Try(limits, client: "198.51.100.1")).IsContinue);
        first.Flush();
        var path = Path.Combine(_directory, Greylist.FileName);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        var second = Open();
        Assert.Equal((1, 1), second.Count);
        var restarted = Limits(second);
        Assert.True((await Try(restarted)).IsContinue);
        Assert.True((await Try(restarted, client: "198.51.100.2", from: new Mailbox("new", "other.example"))).IsContinue);
    }

    [Fact]
    public async Task Expired_entries_are_pruned_when_written_and_when_read()
    {
        var first = Open();
        var limits = Limits(first, On with { RetryWindow = TimeSpan.FromHours(1) });
        await Try(limits);
        await Try(limits, client: "198.51.100.1");
        first.Flush();

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal((0, 0), Open().Count);

        await Try(limits, client: "203.0.113.1");
        first.Flush();
        Assert.Equal((1, 0), Open().Count);
    }

    [Fact]
    public async Task Disposing_writes_what_changed()
    {
        var greylist = Greylist.Open(_directory, _time, NullLogger.Instance, TimeSpan.Zero);
        await Try(Limits(greylist));
        greylist.Dispose();
        Assert.Equal((1, 0), Open().Count);
    }

    [Fact]
    public async Task A_failed_write_keeps_the_state_and_is_tried_again()
    {
        // A file where the directory should be: the write fails.
        var blocked = Path.Combine(_directory, "blocked");
        await File.WriteAllTextAsync(blocked, "in the way");
        var greylist = Greylist.Open(blocked, _time, NullLogger.Instance, TimeSpan.Zero);
        _opened.Add(greylist);
        await Try(Limits(greylist));
        Assert.ThrowsAny<IOException>(greylist.Flush);

        File.Delete(blocked);
        greylist.Flush();
        using var reopened = Greylist.Open(blocked, _time, NullLogger.Instance, TimeSpan.Zero);
        Assert.Equal((1, 0), reopened.Count);
    }

    [Fact]
    public void The_number_of_triplets_is_bounded_and_the_oldest_go_first()
    {
        var greylist = Open();
        greylist.MaxEntries = 100;
        var network = IPNetwork.Parse("192.0.2.0/24");
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            greylist.Attempt(network, $"s{i}@spam.example", "alice@example.test", On);
            Assert.True(greylist.Count.Triplets <= 100);
        }

        // The newest is still pending: its retry after the delay passes.
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(GreylistOutcome.Passed, greylist.Attempt(network, "s999@spam.example", "alice@example.test", On).Outcome);
        Assert.Equal(GreylistOutcome.FirstAttempt, greylist.Attempt(network, "s0@spam.example", "alice@example.test", On).Outcome);
    }

    [Fact]
    public async Task A_file_that_does_not_read_is_ignored_and_replaced()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, Greylist.FileName), "{not json");
        await File.WriteAllTextAsync(Path.Combine(_directory, ".greylist.0123.tmp"), "left by a crash");
        var greylist = Open();
        Assert.Equal((0, 0), greylist.Count);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        await Try(Limits(greylist));
        greylist.Flush();
        Assert.Equal((1, 0), Open().Count);
    }
}
