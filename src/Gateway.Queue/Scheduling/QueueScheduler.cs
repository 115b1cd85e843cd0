using Gateway.Queue.Notices;
using Microsoft.Extensions.Logging;

namespace Gateway.Queue.Scheduling;

/// <summary>
/// Decides when each queued message is attempted and applies what happened, recipient by recipient: retries
/// with the <see cref="RetrySchedule"/> of the settings in force, a delay notice once, a failure notice for permanent failures and at
/// expiry, success notices when asked for, and removal once every recipient is finished. The store is the only
/// truth: every decision is saved there before the message is removed, so a crash at any point repeats work
/// (at-least-once, DESIGN invariant 2) and never loses a message.
/// </summary>
public sealed class QueueScheduler
{
    private readonly IQueueStore _store;
    private readonly IDeliveryAgent _agent;
    private readonly ISchedulerSettingsSource _settings;
    private readonly ITraceLog _trace;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueScheduler> _logger;
    private readonly QueueSchedulerOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _active = new(StringComparer.Ordinal);

    // After a store error a message is left alone until this time (in memory only: a restart retries at once).
    private readonly Dictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);
    // Messages believed due, in arrival order, fed by MessageQueued and by full scans. Dispatching from here costs
    // one state read per message; a full scan lists the whole spool, so it runs only every RescanInterval or when a
    // retry falls due, never once per message (that would make a backlog quadratic).
    private readonly Queue<string> _ready = new();
    private readonly HashSet<string> _readySet = new(StringComparer.Ordinal);
    private TaskCompletionSource _wake = NewSignal();
    private bool _backlog;
    private int _inFlight;

    /// <summary>A scheduler whose retry schedule and notices never change.</summary>
    public QueueScheduler(
        IQueueStore store,
        IDeliveryAgent agent,
        INoticeFactory notices,
        ITraceLog trace,
        RetrySchedule schedule,
        TimeProvider time,
        ILogger<QueueScheduler> logger,
        QueueSchedulerOptions? options = null)
        : this(store, agent, new FixedSchedulerSettings(new SchedulerSettings(schedule, notices)), trace, time, logger, options)
    {
    }

    /// <summary>A scheduler that reads its retry schedule and notice factory from <paramref name="settings"/> at each round.</summary>
    public QueueScheduler(
        IQueueStore store,
        IDeliveryAgent agent,
        ISchedulerSettingsSource settings,
        ITraceLog trace,
        TimeProvider time,
        ILogger<QueueScheduler> logger,
        QueueSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options ??= new QueueSchedulerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessagesInFlight, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RescanInterval, TimeSpan.Zero, nameof(options));
        _store = store;
        _agent = agent;
        _settings = settings;
        _trace = trace;
        _time = time;
        _logger = logger;
        _options = options;
    }

    /// <summary>
    /// Runs until cancelled: wakes when a message is queued, when the earliest retry is due and at every rescan
    /// interval. On cancellation, waits for the attempts in flight to stop (their state is left as it was).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _store.MessageQueued += OnMessageQueued;
        try
        {
            var nextFullScan = DateTimeOffset.MinValue;
            DateTimeOffset? earliest = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                // A fresh signal before the scan: a message queued while scanning wakes the next wait at once.
                var wake = NewSignal();
                Volatile.Write(ref _wake, wake);
                var now = _time.GetUtcNow();
                if (now >= nextFullScan || (earliest is { } dueNow && dueNow <= now))
                {
                    earliest = await DispatchDueAsync(cancellationToken).ConfigureAwait(false);
                    nextFullScan = now + _options.RescanInterval;
                }

                DispatchReady(cancellationToken);
                var delay = nextFullScan - _time.GetUtcNow();
                if (earliest is { } due && due - _time.GetUtcNow() < delay)
                {
                    delay = due - _time.GetUtcNow();
                }

                delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;

                if (delay > TimeSpan.Zero)
                {
                    using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var timer = Task.Delay(delay, _time, stopDelay.Token);
                    await Task.WhenAny(wake.Task, timer).ConfigureAwait(false);
                    await stopDelay.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _store.MessageQueued -= OnMessageQueued;
            await WhenIdleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts an attempt for every due message that is not held, not already in flight and not backing off,
    /// as far as the in-flight limit allows. Returns when the next not-yet-due message is due (null: none).
    /// </summary>
    internal async Task<DateTimeOffset?> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? earliest = null;
        HashSet<string>? seen;
        lock (_gate)
        {
            seen = _notBefore.Count > 0 ? new HashSet<string>(StringComparer.Ordinal) : null;
        }

        try
        {
            await foreach (var entry in _store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                seen?.Add(entry.Envelope.QueueId);
                // Held messages are never delivered until released (the CLI's hold).
                if (entry.Held)
                {
                    continue;
                }

                var id = entry.Envelope.QueueId;
                var due = entry.State.NextAttemptAt;
                lock (_gate)
                {
                    if (_active.ContainsKey(id))
                    {
                        continue;
                    }

                    if (_notBefore.TryGetValue(id, out var notBefore))
                    {
                        if (notBefore > now)
                        {
                            due = due > notBefore ? due : notBefore;
                        }
                        else
                        {
                            _notBefore.Remove(id);
                        }
                    }
                }

                if (due > now)
                {
                    earliest = earliest is null || due < earliest ? due : earliest;
                    continue;
                }

                lock (_gate)
                {
                    if (_inFlight >= _options.MaxMessagesInFlight)
                    {
                        // Every slot is busy: remember it as ready; the next finished attempt wakes the loop,
                        // which takes it from the ready queue without listing the spool again.
                        _backlog = true;
                        if (_readySet.Add(id))
                        {
                            _ready.Enqueue(id);
                        }

                        continue;
                    }

                    _inFlight++;
                    _active[id] = Task.Run(() => ProcessGuardedAsync(id, cancellationToken), CancellationToken.None);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.ListFailed(_logger, ex);
            return now + _options.RescanInterval;
        }

        if (seen is not null)
        {
            // Forget the back-off of messages that left the queue (deleted by the CLI, for instance).
            lock (_gate)
            {
                foreach (var id in _notBefore.Keys.Where(id => !seen.Contains(id)).ToList())
                {
                    _notBefore.Remove(id);
                }
            }
        }

        return earliest;
    }

    /// <summary>Completes when every attempt started so far has finished.</summary>
    internal async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _active.Values];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnMessageQueued(string queueId)
    {
        lock (_gate)
        {
            if (_readySet.Add(queueId))
            {
                _ready.Enqueue(queueId);
            }
        }

        Volatile.Read(ref _wake).TrySetResult();
    }

    /// <summary>Starts attempts for messages in the ready queue while slots are free.</summary>
    internal void DispatchReady(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            while (_inFlight < _options.MaxMessagesInFlight && _ready.TryDequeue(out var id))
            {
                _readySet.Remove(id);

                // ProcessAsync re-reads the message and leaves it alone if it is held, gone or not yet due; only
                // what this loop itself knows is checked here.
                if (_active.ContainsKey(id) || (_notBefore.TryGetValue(id, out var notBefore) && notBefore > now))
                {
                    continue;
                }

                _inFlight++;
                _active[id] = Task.Run(() => ProcessGuardedAsync(id, cancellationToken), CancellationToken.None);
            }

            if (_ready.Count > 0)
            {
                _backlog = true;
            }
        }
    }

    private async Task ProcessGuardedAsync(string queueId, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessAsync(queueId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the state was not saved, the message is attempted again after the restart.
        }
        catch (Exception ex)
        {
            SchedulerLog.ProcessFailed(_logger, queueId, ex);
            BackOff(queueId);
        }
        finally
        {
            bool wake;
            lock (_gate)
            {
                _active.Remove(queueId);
                _inFlight--;
                wake = _backlog;
                _backlog = false;
            }

            if (wake)
            {
                Volatile.Read(ref _wake).TrySetResult();
            }
        }
    }

    /// <summary>One attempt round for one message.</summary>
    internal async Task ProcessAsync(string queueId, CancellationToken cancellationToken)
    {
        QueueEntry? entry;
        try
        {
            entry = await _store.GetAsync(queueId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.ReadFailed(_logger, queueId, ex);
            BackOff(queueId);
            return;
        }

        // Deleted, held or rescheduled since the scan: nothing to do now.
        if (entry is null || entry.Held || entry.State.NextAttemptAt > _time.GetUtcNow())
        {
            return;
        }

        var envelope = entry.Envelope;
        var state = entry.State;
        var settings = _settings.Current;
        var schedule = settings.Retry;
        var round = new AttemptRound(envelope, state);
        if (round.Pending.Count == 0)
        {
            // Every recipient was already finished (a crash or failure between saving and removing).
            await RemoveAsync(queueId, "finished", cancellationToken).ConfigureAwait(false);
            return;
        }

        var attemptDetail = "attempt " + (state.Attempts + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TraceAsync("attempt", envelope, round.PendingAddresses, null, null, attemptDetail, localReply: false, cancellationToken).ConfigureAwait(false);
        var outcomes = await DeliverAsync(queueId, envelope, round, cancellationToken).ConfigureAwait(false);
        var finished = _time.GetUtcNow();
        var since = state.QueuedSince(envelope);
        var expired = finished >= schedule.ExpiresAt(since);
        round.Apply(outcomes, finished, expired, address => SchedulerLog.MissingOutcome(_logger, queueId, address));
        foreach (var change in round.Changes)
        {
            await TraceAsync(change.Event, envelope, [change.Address], change.RemoteMta, change.Reply, null, change.LocalReply, cancellationToken).ConfigureAwait(false);
        }

        var attempts = state.Attempts + 1;
        var next = round.AnyPending ? schedule.NextAttempt(since, finished, attempts) : finished;
        var delayNoticeSent = state.DelayNoticeSent;
        var noticeFailed = false;

        // One failure notice per round listing every recipient that failed or expired in it.
        if (round.FailureNotices.Count > 0
            && !await SendNoticeAsync(entry, settings.Notices, NoticeKind.Failure, round.FailureNotices, null, cancellationToken).ConfigureAwait(false))
        {
            // The notice must not be lost: those recipients stay pending and the round is repeated later.
            round.KeepPending(round.FailureNotices);
            noticeFailed = true;
        }

        if (round.SuccessNotices.Count > 0)
        {
            // A delivered recipient cannot be taken back; a lost success notice is only logged.
            await SendNoticeAsync(entry, settings.Notices, NoticeKind.Success, round.SuccessNotices, null, cancellationToken).ConfigureAwait(false);
        }

        // RFC 3464 / operators: one delay notice per message once the threshold has passed.
        if (round.AnyPending && !delayNoticeSent && finished >= schedule.DelayNoticeAt(since))
        {
            var expires = schedule.ExpiresAt(since);
            if (await SendNoticeAsync(entry, settings.Notices, NoticeKind.Delay, round.DelayNotices(), expires, cancellationToken).ConfigureAwait(false))
            {
                delayNoticeSent = true;
            }
            else
            {
                noticeFailed = true;
            }
        }

        if (round.AnyPending && !delayNoticeSent && next > schedule.DelayNoticeAt(since))
        {
            // One more attempt exactly when the delay threshold passes, so the sender hears on time.
            var noticeAt = schedule.DelayNoticeAt(since);
            next = noticeAt > finished ? noticeAt : next;
        }

        if (noticeFailed)
        {
            next = finished + _options.ErrorBackoff;
        }

        var newState = new MessageState(queueId, round.States, next, delayNoticeSent, attempts, state.LifetimeStart);
        if (!round.AnyPending)
        {
            // Finished: removing the message is the state change that matters. Writing a state file first would
            // cost two more fsyncs per message on the hot path and protect nothing that removal does not.
            // Only if the removal fails is the outcome recorded, so a later round does not deliver again.
            if (!await RemoveAsync(queueId, round.AnyFailed ? "finished with failures" : "delivered", cancellationToken).ConfigureAwait(false))
            {
                await SaveAsync(newState, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await SaveAsync(newState, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<RecipientOutcome>> DeliverAsync(string queueId, QueuedEnvelope envelope, AttemptRound round, CancellationToken cancellationToken)
    {
        var job = new DeliveryJob(queueId, envelope, round.Pending, ct => _store.OpenMessageAsync(queueId, ct));
        try
        {
            return await _agent.DeliverAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // No outcome at all: every recipient is deferred (the missing outcomes are filled in as transient).
            SchedulerLog.AgentFailed(_logger, queueId, ex);
            return [];
        }
    }

    private async Task<bool> SendNoticeAsync(
        QueueEntry entry,
        INoticeFactory notices,
        NoticeKind kind,
        IReadOnlyList<NoticeRecipient> recipients,
        DateTimeOffset? willRetryUntil,
        CancellationToken cancellationToken)
    {
        var envelope = entry.Envelope;
        var queueId = envelope.QueueId;
        NoticeMessage? notice;
        try
        {
            var request = new NoticeRequest(envelope, kind, recipients, willRetryUntil, ct => _store.OpenMessageAsync(queueId, ct));
            notice = await notices.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Building a notice is deterministic: retrying would fail the same way and keep the message queued
            // for ever. The failure is logged loudly and the delivery state moves on.
            SchedulerLog.NoticeBuildFailed(_logger, queueId, kind.ToString(), ex);
            await TraceAsync("notice", envelope, [envelope.From ?? string.Empty], null, null, $"{kind.ToString().ToLowerInvariant()} notice could not be built", localReply: false, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }

        if (notice is null)
        {
            // NOTIFY, a null sender or a notice about a notice: nothing to send is a success.
            return true;
        }

        try
        {
            var noticeId = await _store.EnqueueAsync(notice.Envelope, notice.Content, cancellationToken).ConfigureAwait(false);
            var to = notice.Envelope.Recipients.Select(r => r.Address).ToList();
            await TraceAsync("notice", envelope, to, null, null, $"{kind.ToString().ToLowerInvariant()} notice queued as {noticeId}", localReply: false, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.NoticeFailed(_logger, queueId, kind.ToString(), ex);
            return false;
        }
    }

    private async Task<bool> SaveAsync(MessageState state, CancellationToken cancellationToken)
    {
        try
        {
            // A message deleted by the CLI during the attempt stays deleted: no state file is written for it.
            if (await _store.GetAsync(state.Id, cancellationToken).ConfigureAwait(false) is null)
            {
                SchedulerLog.Disappeared(_logger, state.Id);
                return false;
            }

            await _store.SaveStateAsync(state, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The old state stays: the round is repeated later (delivered recipients may receive a duplicate,
            // which at-least-once allows; losing the message would not be allowed). Later means when the state
            // that could not be written says, so a full disk does not change the configured retry schedule.
            SchedulerLog.SaveFailed(_logger, state.Id, ex);
            BackOff(state.Id, state.NextAttemptAt);
            return false;
        }
    }

    private async Task<bool> RemoveAsync(string queueId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await _store.RemoveAsync(queueId, reason, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.RemoveFailed(_logger, queueId, ex);
            BackOff(queueId);
            return false;
        }
    }

    private async Task TraceAsync(
        string name,
        QueuedEnvelope envelope,
        IReadOnlyList<string> to,
        string? remote,
        string? reply,
        string? detail,
        bool localReply,
        CancellationToken cancellationToken)
    {
        try
        {
            var traceEvent = new TraceEvent(_time.GetUtcNow(), name, envelope.QueueId, envelope.From, to, remote, reply, detail, localReply);
            await _trace.WriteAsync(traceEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The trace is for people; delivery does not stop because it cannot be written.
            SchedulerLog.TraceFailed(_logger, envelope.QueueId, name, ex);
        }
    }

    /// <summary>
    /// Leaves the message alone until <paramref name="until"/>, but at least <see cref="QueueSchedulerOptions.ErrorBackoff"/>
    /// (no busy loop on a broken disk), and never earlier than an earlier back-off said.
    /// </summary>
    private void BackOff(string queueId, DateTimeOffset? until = null)
    {
        var notBefore = _time.GetUtcNow() + _options.ErrorBackoff;
        if (until > notBefore)
        {
            notBefore = until.Value;
        }

        lock (_gate)
        {
            if (!_notBefore.TryGetValue(queueId, out var earlier) || earlier < notBefore)
            {
                _notBefore[queueId] = notBefore;
            }
        }
    }
}
