using Gateway.Abstractions;
using Gateway.Queue.Notices;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Queue.Tests.Scheduling;

public sealed class QueueSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeQueueStore _store = new();
    private readonly FakeDeliveryAgent _agent = new();
    private readonly RecordingTraceLog _trace = new();

    private QueueScheduler Scheduler(QueueSchedulerOptions? options = null) => new(
        _store,
        _agent,
        new DsnNoticeFactory(new DsnNoticeOptions { HostName = "gw.example.test" }, _time),
        _trace,
        RetrySchedule.Default,
        _time,
        NullLogger<QueueScheduler>.Instance,
        options);

    private static QueuedEnvelope Message(string id, string? from, params QueuedRecipient[] recipients) => new()
    {
        QueueId = id,
        ReceivedAt = Start,
        Origin = QueuedEnvelope.SmtpOrigin,
        From = from,
        Recipients = recipients,
    };

    private static QueuedRecipient Rcpt(string address, DsnNotify notify = DsnNotify.None) =>
        new(address, MailDirection.Inbound, notify, null, null);

    private static async Task RunDueAsync(QueueScheduler scheduler)
    {
        await scheduler.DispatchDueAsync(CancellationToken.None);
        await scheduler.WhenIdleAsync();
    }

    private static List<HeaderList> RecipientGroups(byte[] notice)
    {
        var message = MimeMessage.Load(new MemoryStream(notice));
        var report = Assert.IsType<MultipartReport>(message.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        return [.. status.StatusGroups.Skip(1).Where(g => g.Count > 0)];
    }

    [Fact]
    public async Task A_transient_failure_is_retried_with_the_schedule_and_then_delivered()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "451 4.2.0 try again later", "250 2.0.0 Ok");
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);
        var state = _store.Entry("m1")!.State;
        Assert.Equal(1, state.Attempts);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), state.NextAttemptAt);
        var recipient = Assert.Single(state.Recipients);
        Assert.Equal(RecipientStatus.Pending, recipient.Status);
        Assert.Equal("451 4.2.0 try again later", recipient.LastReply);
        Assert.Equal("mx.example.test", recipient.RemoteMta);

        _time.Advance(TimeSpan.FromMinutes(4));
        await RunDueAsync(scheduler);
        Assert.Single(_agent.Jobs);

        _time.Advance(TimeSpan.FromMinutes(1));
        await RunDueAsync(scheduler);
        Assert.Equal(2, _agent.Jobs.Count);
        Assert.Null(_store.Entry("m1"));
        Assert.Equal(("m1", "delivered"), Assert.Single(_store.Removed));
        Assert.Empty(_store.Notices);
        Assert.Equal(["attempt", "deferred", "attempt", "delivered"], _trace.Events.Select(e => e.Event));
        var deferred = Assert.Single(_trace.Named("deferred"));
        Assert.Equal("451 4.2.0 try again later", deferred.Reply);
        Assert.Equal("mx.example.test", deferred.Remote);
        Assert.Equal(["alice@example.test"], deferred.To);
        Assert.Equal("sender@example.org", deferred.From);
        Assert.False(deferred.LocalReply);
        Assert.False(Assert.Single(_trace.Named("delivered")).LocalReply);
    }

    [Fact]
    public async Task The_trace_marks_a_deferral_or_failure_for_a_reason_of_the_gateways_own()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _store.Add(Message("m2", "sender@example.org", Rcpt("bob@example.test")));
        _agent.LocalReasons = true;
        _agent.Script("alice@example.test", "451 4.7.4 delivery to mx:example.test failed temporarily: TLS required by policy (encrypt): STARTTLS not offered by mx.example.test");
        _agent.Script("bob@example.test", "554 5.4.4 no route to example.test");

        await RunDueAsync(Scheduler());

        var deferred = Assert.Single(_trace.Named("deferred"));
        Assert.True(deferred.LocalReply);
        Assert.Equal("mx.example.test", deferred.Remote);
        Assert.True(Assert.Single(_trace.Named("failed")).LocalReply);
        Assert.All(_trace.Named("attempt").Concat(_trace.Named("notice")), e => Assert.False(e.LocalReply));
    }

    [Fact]
    public async Task The_job_carries_the_envelope_and_opens_the_spooled_message()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        byte[]? seen = null;
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        _agent.BeforeReply = async job =>
        {
            var stream = await job.OpenMessage(CancellationToken.None);
            await using (stream)
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                seen = copy.ToArray();
            }
        };

        await RunDueAsync(Scheduler());

        var job = Assert.Single(_agent.Jobs);
        Assert.Equal("m1", job.QueueId);
        Assert.Equal("sender@example.org", job.Envelope.From);
        Assert.Equal(_store.MessageBytes, seen);
    }

    [Fact]
    public async Task A_permanent_failure_sends_a_failure_notice_with_the_remote_reply_at_once()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "550 5.1.1 <alice@example.test>: Recipient address rejected");

        await RunDueAsync(Scheduler());

        Assert.Null(_store.Entry("m1"));
        var notice = Assert.Single(_store.Notices);
        Assert.Null(notice.Envelope.From);
        Assert.Equal(QueuedEnvelope.NoticeOrigin, notice.Envelope.Origin);
        Assert.Equal("sender@example.org", Assert.Single(notice.Envelope.Recipients).Address);
        var group = Assert.Single(RecipientGroups(notice.Content));
        Assert.Equal("failed", group["Action"]);
        Assert.Equal("5.1.1", group["Status"]);
        Assert.Equal("smtp; 550 5.1.1 <alice@example.test>: Recipient address rejected", group["Diagnostic-Code"]);
        Assert.Equal("dns; mx.example.test", group["Remote-MTA"]);
        Assert.Single(_trace.Named("failed"));
        var traced = Assert.Single(_trace.Named("notice"));
        Assert.Equal(["sender@example.org"], traced.To);
        Assert.Contains(notice.Id, traced.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_settings_apply_from_the_next_round_on()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "451 4.2.0 busy", "451 4.2.0 busy", "451 4.2.0 busy");
        var settings = new SwitchableSettings(new SchedulerSettings(
            RetrySchedule.Default, new DsnNoticeFactory(new DsnNoticeOptions { HostName = "gw.example.test" }, _time)));
        var scheduler = new QueueScheduler(_store, _agent, settings, _trace, _time, NullLogger<QueueScheduler>.Instance);

        await RunDueAsync(scheduler);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), _store.Entry("m1")!.State.NextAttemptAt);

        // A reload: retries every 30 s, a delay notice after 6 minutes, notices from another host name.
        settings.Current = new SchedulerSettings(
            new RetrySchedule(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 1, TimeSpan.FromMinutes(6), TimeSpan.FromHours(1)),
            new DsnNoticeFactory(new DsnNoticeOptions { HostName = "new.example.test" }, _time));
        _time.Advance(TimeSpan.FromMinutes(5));
        await RunDueAsync(scheduler);
        Assert.Equal(Start + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30), _store.Entry("m1")!.State.NextAttemptAt);
        Assert.Empty(_store.Notices);

        _time.Advance(TimeSpan.FromMinutes(1));
        await RunDueAsync(scheduler);
        var notice = Assert.Single(_store.Notices);
        Assert.Contains("Reporting-MTA: dns; new.example.test", System.Text.Encoding.ASCII.GetString(notice.Content), StringComparison.Ordinal);
        Assert.True(_store.Entry("m1")!.State.DelayNoticeSent);
    }

    private sealed class SwitchableSettings(SchedulerSettings initial) : ISchedulerSettingsSource
    {
        public SchedulerSettings Current { get; set; } = initial;
    }

    [Fact]
    public async Task A_delay_notice_does_not_put_the_gateways_own_reason_in_the_remote_hosts_mouth()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.LocalReasons = true;
        _agent.Script("alice@example.test", "451 4.7.4 delivery to mx:example.test failed temporarily: TLS required by policy (encrypt): STARTTLS not offered by mx.example.test");
        var scheduler = Scheduler();

        while (_store.Notices.Count == 0 && _time.GetUtcNow() < Start + TimeSpan.FromHours(12))
        {
            await RunDueAsync(scheduler);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(_store.Entry("m1")!.State.Recipients[0].LocalReply);
        var notice = Assert.Single(_store.Notices);
        var group = Assert.Single(RecipientGroups(notice.Content));
        Assert.Null(group["Remote-MTA"]);
        Assert.StartsWith("X-Gateway; 451 4.7.4 delivery to mx:example.test", group["Diagnostic-Code"], StringComparison.Ordinal);
        var text = System.Text.Encoding.ASCII.GetString(notice.Content);
        Assert.DoesNotContain("mx.example.test said", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_delay_notice_is_sent_once_after_six_hours()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "451 4.2.0 mailbox busy");
        var scheduler = Scheduler();

        var noticeAt = (DateTimeOffset?)null;
        while (_time.GetUtcNow() < Start + TimeSpan.FromHours(12))
        {
            await RunDueAsync(scheduler);
            if (noticeAt is null && _store.Notices.Count == 1)
            {
                noticeAt = _time.GetUtcNow();
            }

            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var notice = Assert.Single(_store.Notices);
        Assert.NotNull(noticeAt);
        Assert.Equal(Start + TimeSpan.FromHours(6), noticeAt);
        var group = Assert.Single(RecipientGroups(notice.Content));
        Assert.Equal("delayed", group["Action"]);
        Assert.Equal("4.2.0", group["Status"]);
        Assert.Equal("Sun, 22 Nov 2026 08:00:00 +0000", group["Will-Retry-Until"]);
        Assert.True(_store.Entry("m1")!.State.DelayNoticeSent);

        // Backoff: 5, 10, 20, 40 minutes, then hourly.
        var attempts = _trace.Named("attempt").Select(e => e.Timestamp - Start).Take(6).ToList();
        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(35), TimeSpan.FromMinutes(75), TimeSpan.FromMinutes(135)],
            attempts);
    }

    [Fact]
    public async Task A_message_expires_after_two_days_with_a_failure_notice()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "421 4.4.2 connection dropped");
        var scheduler = Scheduler();

        while (_store.Entry("m1") is not null && _time.GetUtcNow() < Start + TimeSpan.FromDays(3))
        {
            await RunDueAsync(scheduler);
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Null(_store.Entry("m1"));
        var lastAttempt = _trace.Named("attempt").Last().Timestamp;
        Assert.True(lastAttempt >= Start + TimeSpan.FromDays(2) && lastAttempt < Start + TimeSpan.FromDays(2) + TimeSpan.FromMinutes(10), $"last attempt {lastAttempt}");
        Assert.Equal(2, _store.Notices.Count);
        var failure = RecipientGroups(_store.Notices[1].Content);
        var group = Assert.Single(failure);
        Assert.Equal("failed", group["Action"]);
        Assert.Equal("4.4.7", group["Status"]);
        Assert.Equal("smtp; 421 4.4.2 connection dropped", group["Diagnostic-Code"]);
        Assert.Single(_trace.Named("expired"));
        Assert.Equal("finished with failures", Assert.Single(_store.Removed).Reason);
    }

    [Fact]
    public async Task Notify_never_suppresses_the_failure_notice()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test", DsnNotify.Never)));
        _agent.Script("alice@example.test", "550 5.1.1 unknown");

        await RunDueAsync(Scheduler());

        Assert.Null(_store.Entry("m1"));
        Assert.Empty(_store.Notices);
        Assert.Single(_trace.Named("failed"));
    }

    [Fact]
    public async Task Nothing_is_sent_to_the_null_sender_and_no_notice_about_a_notice()
    {
        _store.Add(Message("m1", null, Rcpt("alice@example.test")));
        _store.Add(Message("m2", "sender@example.org", Rcpt("bob@example.test")) with { Origin = QueuedEnvelope.NoticeOrigin });
        _agent.Script("alice@example.test", "550 5.1.1 unknown");
        _agent.Script("bob@example.test", "550 5.1.1 unknown");

        await RunDueAsync(Scheduler());

        Assert.Null(_store.Entry("m1"));
        Assert.Null(_store.Entry("m2"));
        Assert.Empty(_store.Notices);
    }

    [Fact]
    public async Task A_held_message_is_never_attempted_until_released()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")), held: true);
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);
        _time.Advance(TimeSpan.FromHours(1));
        await RunDueAsync(scheduler);
        Assert.Empty(_agent.Jobs);
        Assert.NotNull(_store.Entry("m1"));

        await _store.ReleaseAsync("m1", CancellationToken.None);
        await RunDueAsync(scheduler);
        Assert.Single(_agent.Jobs);
        Assert.Null(_store.Entry("m1"));
    }

    [Fact]
    public async Task A_held_message_gets_no_notice_however_long_it_waits_and_after_release_its_lifetime_starts_at_the_release()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test", DsnNotify.Failure | DsnNotify.Delay)), held: true);
        _agent.Script("alice@example.test", "451 4.2.0 try again later", "451 4.2.0 try again later");
        var scheduler = Scheduler();

        // Far past the delay notice (6 h) and the queue lifetime (2 d) of the default schedule.
        _time.Advance(TimeSpan.FromDays(5));
        await RunDueAsync(scheduler);
        Assert.Empty(_agent.Jobs);
        Assert.Empty(_store.Notices);

        // What a quarantine release does: due now, the retry clock restarted, then unheld.
        var released = _time.GetUtcNow();
        await _store.SaveStateAsync(_store.Entry("m1")!.State with { NextAttemptAt = released, LifetimeStart = released }, CancellationToken.None);
        await _store.ReleaseAsync("m1", CancellationToken.None);
        await RunDueAsync(scheduler);

        // A transient failure now is retried, not expired against the reception five days ago.
        var state = _store.Entry("m1")!.State;
        Assert.Equal(RecipientStatus.Pending, Assert.Single(state.Recipients).Status);
        Assert.Equal(released + TimeSpan.FromMinutes(5), state.NextAttemptAt);
        Assert.Equal(released, state.LifetimeStart);
        Assert.Empty(_store.Notices);
    }

    [Fact]
    public async Task A_message_held_after_the_scan_is_not_delivered()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        var scheduler = Scheduler();
        await _store.HoldAsync("m1", CancellationToken.None);

        await scheduler.ProcessAsync("m1", CancellationToken.None);

        Assert.Empty(_agent.Jobs);
    }

    [Fact]
    public async Task Mixed_outcomes_are_tracked_per_recipient_with_one_notice_per_round()
    {
        _store.Add(Message(
            "m1",
            "sender@example.org",
            Rcpt("ok@example.test"),
            Rcpt("gone@example.test"),
            Rcpt("busy@example.test"),
            Rcpt("bad@example.test")));
        _agent.Script("ok@example.test", "250 2.0.0 Ok");
        _agent.Script("gone@example.test", "550 5.1.1 no such user");
        _agent.Script("busy@example.test", "452 4.2.2 mailbox full", "250 2.0.0 Ok");
        _agent.Script("bad@example.test", "553 5.1.3 bad address");
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);

        var states = _store.Entry("m1")!.State.Recipients;
        Assert.Equal(
            [RecipientStatus.Delivered, RecipientStatus.Failed, RecipientStatus.Pending, RecipientStatus.Failed],
            states.Select(s => s.Status));
        var notice = Assert.Single(_store.Notices);
        Assert.Equal(
            ["rfc822; gone@example.test", "rfc822; bad@example.test"],
            RecipientGroups(notice.Content).Select(g => g["Final-Recipient"]));

        _time.Advance(TimeSpan.FromMinutes(5));
        await RunDueAsync(scheduler);

        // Only the pending recipient is attempted again; nothing is delivered twice.
        Assert.Equal(["busy@example.test"], _agent.Jobs[1].Recipients.Select(r => r.Address));
        Assert.Null(_store.Entry("m1"));
        Assert.Single(_store.Notices);
        Assert.Equal("finished with failures", Assert.Single(_store.Removed).Reason);
    }

    [Fact]
    public async Task A_success_notice_only_when_asked_and_not_when_the_next_hop_took_over_dsn()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test", DsnNotify.Success), Rcpt("bob@example.test")));
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        _agent.Script("bob@example.test", "250 2.0.0 Ok");
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);

        var group = Assert.Single(RecipientGroups(Assert.Single(_store.Notices).Content));
        Assert.Equal("rfc822; alice@example.test", group["Final-Recipient"]);
        Assert.Equal("relayed", group["Action"]);

        _store.Add(Message("m2", "sender@example.org", Rcpt("alice@example.test", DsnNotify.Success)));
        _agent.PassDsnOn = true;
        await RunDueAsync(scheduler);
        Assert.Single(_store.Notices);
    }

    [Fact]
    public async Task A_message_deleted_during_delivery_stays_deleted()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "451 4.2.0 later");
        _agent.BeforeReply = _ =>
        {
            _store.Delete("m1");
            return Task.CompletedTask;
        };

        await RunDueAsync(Scheduler());

        Assert.Null(_store.Entry("m1"));
        Assert.Equal(0, _store.SaveCount);
    }

    [Fact]
    public async Task A_store_error_keeps_the_message_and_retries_later()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "451 4.2.0 later", "250 2.0.0 Ok");
        _store.FailSave = true;
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);
        Assert.NotNull(_store.Entry("m1"));
        Assert.Equal(0, _store.Entry("m1")!.State.Attempts);

        // Backing off: not attempted again at once even though its state still says "due", and not before the
        // retry schedule says (5 minutes after the first attempt), although the state saying so was never written.
        await RunDueAsync(scheduler);
        Assert.Single(_agent.Jobs);

        _store.FailSave = false;
        _time.Advance(TimeSpan.FromMinutes(4));
        await RunDueAsync(scheduler);
        Assert.Single(_agent.Jobs);

        _time.Advance(TimeSpan.FromMinutes(1));
        await RunDueAsync(scheduler);
        Assert.Equal(2, _agent.Jobs.Count);
        Assert.Null(_store.Entry("m1"));
    }

    [Fact]
    public async Task A_failure_notice_that_cannot_be_queued_is_not_lost()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "550 5.1.1 unknown");
        _store.FailEnqueue = true;
        var scheduler = Scheduler();

        await RunDueAsync(scheduler);
        var state = _store.Entry("m1")!.State;
        Assert.Equal(RecipientStatus.Pending, Assert.Single(state.Recipients).Status);
        Assert.Equal(Start + TimeSpan.FromMinutes(1), state.NextAttemptAt);

        _store.FailEnqueue = false;
        _time.Advance(TimeSpan.FromMinutes(1));
        await RunDueAsync(scheduler);
        Assert.Single(_store.Notices);
        Assert.Null(_store.Entry("m1"));
    }

    [Fact]
    public async Task A_notice_that_cannot_be_built_does_not_keep_the_message_for_ever()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "550 5.1.1 unknown");
        var scheduler = new QueueScheduler(
            _store, _agent, new ThrowingNoticeFactory(), _trace, RetrySchedule.Default, _time, NullLogger<QueueScheduler>.Instance);

        await RunDueAsync(scheduler);

        Assert.Null(_store.Entry("m1"));
        Assert.Contains("could not be built", Assert.Single(_trace.Named("notice")).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_exception_defers_every_recipient()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test"), Rcpt("bob@example.test")));
        _agent.Throw = new InvalidOperationException("boom");

        await RunDueAsync(Scheduler());

        var state = _store.Entry("m1")!.State;
        Assert.All(state.Recipients, r => Assert.Equal(RecipientStatus.Pending, r.Status));
        Assert.All(state.Recipients, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(Start + TimeSpan.FromMinutes(5), state.NextAttemptAt);
        Assert.Equal(2, _trace.Named("deferred").Count());
    }

    [Fact]
    public async Task A_listing_error_is_survived()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        var scheduler = Scheduler();
        _store.FailList = true;

        var next = await scheduler.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(Start + TimeSpan.FromSeconds(5), next);
        _store.FailList = false;
        await RunDueAsync(scheduler);
        Assert.Null(_store.Entry("m1"));
    }

    [Fact]
    public async Task Attempts_run_concurrently_up_to_the_limit()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var peak = 0;
        _agent.BeforeReply = async _ =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await release.Task;
            Interlocked.Decrement(ref running);
        };
        for (var i = 0; i < 5; i++)
        {
            _store.Add(Message("m" + i, "sender@example.org", Rcpt($"r{i}@example.test")));
            _agent.Script($"r{i}@example.test", "250 2.0.0 Ok");
        }

        var scheduler = Scheduler(new QueueSchedulerOptions { MaxMessagesInFlight = 3 });
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);
        await Eventually(() => Volatile.Read(ref running) == 3);
        Assert.Equal(3, Volatile.Read(ref peak));

        release.SetResult();
        await Eventually(() => _store.Removed.Count == 5);
        Assert.Equal(3, Volatile.Read(ref peak));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task The_loop_wakes_when_a_message_is_queued_and_when_a_retry_is_due()
    {
        _agent.Script("alice@example.test", "451 4.2.0 later", "250 2.0.0 Ok");
        var scheduler = Scheduler();
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);

        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")), raiseEvent: true);
        await Eventually(() => _store.Entry("m1")?.State.Attempts == 1);

        _time.Advance(TimeSpan.FromMinutes(5));
        await Eventually(() => _store.Entry("m1") is null);
        await stop.CancelAsync();
        await run;
        Assert.Equal(2, _agent.Jobs.Count);
    }

    [Fact]
    public async Task Newly_queued_messages_are_dispatched_without_listing_the_whole_queue_each_time()
    {
        var scheduler = Scheduler(new QueueSchedulerOptions { MaxMessagesInFlight = 4 });
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);
        await Eventually(() => _store.ListCount == 1);

        for (var i = 0; i < 200; i++)
        {
            _agent.Script($"r{i}@example.test", "250 2.0.0 Ok");
            _store.Add(Message("m" + i, "sender@example.org", Rcpt($"r{i}@example.test")), raiseEvent: true);
        }

        await Eventually(() => _store.Removed.Count == 200);
        await stop.CancelAsync();
        await run;

        // The clock never moved, so no periodic rescan fell due: 200 messages went through the ready queue with
        // the single listing made at start-up.
        Assert.Equal(1, _store.ListCount);
        Assert.Equal(200, _agent.Jobs.Count);
    }

    [Fact]
    public async Task A_finished_message_is_removed_without_writing_a_state_file_first()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "250 2.0.0 Ok");

        await RunDueAsync(Scheduler());

        Assert.Null(_store.Entry("m1"));
        Assert.Equal(0, _store.SaveCount);
    }

    [Fact]
    public async Task When_removing_a_finished_message_fails_its_outcome_is_saved_so_it_is_not_delivered_again()
    {
        _store.Add(Message("m1", "sender@example.org", Rcpt("alice@example.test")));
        _agent.Script("alice@example.test", "250 2.0.0 Ok");
        _store.FailRemove = true;

        await RunDueAsync(Scheduler());

        var entry = _store.Entry("m1");
        Assert.NotNull(entry);
        Assert.Equal(RecipientStatus.Delivered, Assert.Single(entry.State.Recipients).Status);

        // The next round finds nothing pending and only removes it: no second delivery.
        _store.FailRemove = false;
        _time.Advance(TimeSpan.FromMinutes(2));
        await RunDueAsync(Scheduler());
        Assert.Null(_store.Entry("m1"));
        Assert.Single(_agent.Jobs);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    // Real time, bounded: only for the tests of the background loop itself.
    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    private sealed class ThrowingNoticeFactory : INoticeFactory
    {
        public ValueTask<NoticeMessage?> CreateAsync(NoticeRequest request, CancellationToken cancellationToken) =>
            throw new FormatException("bug");
    }
}
