using Gateway.Abstractions;
using Gateway.Queue.Notices;
using Gateway.Syntax;

namespace Gateway.Queue.Scheduling;

/// <summary>
/// The per-recipient bookkeeping of one attempt on one message: which recipients are attempted, how each outcome
/// changes its state, and which recipients each kind of notice reports.
/// </summary>
internal sealed class AttemptRound
{
    // RFC 3463 3.5: X.4.7 "Delivery time expired".
    private const string ExpiredStatus = "4.4.7";

    private readonly QueuedEnvelope _envelope;
    private readonly RecipientState[] _states;
    private readonly List<int> _pendingIndexes = [];
    private readonly Dictionary<NoticeRecipient, int> _noticeIndexes = new(ReferenceEqualityComparer.Instance);

    public AttemptRound(QueuedEnvelope envelope, MessageState state)
    {
        _envelope = envelope;
        _states = [.. state.Recipients];
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i].Status == RecipientStatus.Pending)
            {
                _pendingIndexes.Add(i);
                Pending.Add(RecipientAt(i));
            }
        }
    }

    /// <summary>The recipients to attempt, in state order.</summary>
    public List<QueuedRecipient> Pending { get; } = [];

    public IReadOnlyList<string> PendingAddresses => [.. Pending.Select(r => r.Address)];

    public IReadOnlyList<RecipientState> States => _states;

    public List<RecipientChange> Changes { get; } = [];

    public List<NoticeRecipient> FailureNotices { get; } = [];

    public List<NoticeRecipient> SuccessNotices { get; } = [];

    public bool AnyPending => _states.Any(s => s.Status == RecipientStatus.Pending);

    public bool AnyFailed => _states.Any(s => s.Status is RecipientStatus.Failed or RecipientStatus.Expired);

    /// <summary>
    /// Applies the agent's outcomes. A recipient without an outcome is deferred; once the message has expired a
    /// deferred recipient is given up instead (status Expired, reported as failed with 4.4.7).
    /// </summary>
    public void Apply(IReadOnlyList<RecipientOutcome> outcomes, DateTimeOffset finished, bool expired, Action<string> onMissing)
    {
        var byAddress = new Dictionary<string, Queue<RecipientOutcome>>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            if (!byAddress.TryGetValue(outcome.Address, out var queue))
            {
                byAddress[outcome.Address] = queue = new Queue<RecipientOutcome>();
            }

            queue.Enqueue(outcome);
        }

        var last = new Dictionary<string, RecipientOutcome>(StringComparer.Ordinal);
        for (var p = 0; p < _pendingIndexes.Count; p++)
        {
            var index = _pendingIndexes[p];
            var recipient = Pending[p];
            var current = _states[index];
            RecipientOutcome outcome;
            if (byAddress.TryGetValue(current.Address, out var queue) && queue.TryDequeue(out var given))
            {
                outcome = given;
            }
            else if (last.TryGetValue(current.Address, out var previous))
            {
                // The same address twice in the envelope: one outcome covers both.
                outcome = previous;
            }
            else
            {
                onMissing(current.Address);
                outcome = new RecipientOutcome(current.Address, OutcomeKind.TransientFailure, "4.3.0 no outcome from the delivery agent", null, null, "4.3.0");
            }

            last[current.Address] = outcome;
            var updated = current with
            {
                Attempts = current.Attempts + 1,
                LastReply = outcome.Diagnostic,
                RemoteMta = outcome.RemoteMta,
                UpdatedAt = finished,

                // An outcome without a remote reply code is the delivery agent's own reason (RecipientOutcome).
                LocalReply = outcome.RemoteCode is null,
            };

            switch (outcome.Kind)
            {
                case OutcomeKind.Delivered:
                    _states[index] = updated with { Status = RecipientStatus.Delivered };
                    Changes.Add(new RecipientChange("delivered", current.Address, outcome.RemoteMta, outcome.Diagnostic, updated.LocalReply));

                    // RFC 3461 4.1: SUCCESS only when asked, and not when the next hop took the DSN request over.
                    // The gateway is never the final delivery, so the action is "relayed" (RFC 3464 2.3.3).
                    if (!outcome.DsnPassedOn && (recipient.Notify & DsnNotify.Success) != 0)
                    {
                        AddNotice(SuccessNotices, index, new NoticeRecipient(recipient, DsnAction.Relayed, StatusOf(outcome, "2.0.0"), outcome.Diagnostic, outcome.RemoteMta, finished));
                    }

                    break;
                case OutcomeKind.PermanentFailure:
                    _states[index] = updated with { Status = RecipientStatus.Failed };
                    Changes.Add(new RecipientChange("failed", current.Address, outcome.RemoteMta, outcome.Diagnostic, updated.LocalReply));
                    AddNotice(FailureNotices, index, new NoticeRecipient(recipient, DsnAction.Failed, StatusOf(outcome, "5.0.0"), outcome.Diagnostic, outcome.RemoteMta, finished, updated.LocalReply));
                    break;
                default:
                    if (expired)
                    {
                        _states[index] = updated with { Status = RecipientStatus.Expired };
                        Changes.Add(new RecipientChange("expired", current.Address, outcome.RemoteMta, outcome.Diagnostic, updated.LocalReply));
                        AddNotice(FailureNotices, index, new NoticeRecipient(recipient, DsnAction.Failed, ExpiredStatus, outcome.Diagnostic, outcome.RemoteMta, finished, updated.LocalReply));
                    }
                    else
                    {
                        _states[index] = updated;
                        Changes.Add(new RecipientChange("deferred", current.Address, outcome.RemoteMta, outcome.Diagnostic, updated.LocalReply));
                    }

                    break;
            }
        }
    }

    /// <summary>Puts recipients whose failure notice could not be queued back to pending, so it is not lost.</summary>
    public void KeepPending(IEnumerable<NoticeRecipient> recipients)
    {
        foreach (var recipient in recipients)
        {
            if (_noticeIndexes.TryGetValue(recipient, out var index))
            {
                _states[index] = _states[index] with { Status = RecipientStatus.Pending };
            }
        }
    }

    /// <summary>The still-pending recipients, reported as delayed with their last reply.</summary>
    public List<NoticeRecipient> DelayNotices()
    {
        var list = new List<NoticeRecipient>();
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _states[i];
            if (state.Status == RecipientStatus.Pending)
            {
                var status = state.LastReply is null ? null : StatusFromText(state.LastReply);
                list.Add(new NoticeRecipient(RecipientAt(i), DsnAction.Delayed, status is not null && status[0] == '4' ? status : "4.0.0", state.LastReply, state.RemoteMta, state.UpdatedAt,
                    state.LocalReply));
            }
        }

        return list;
    }

    // RFC 3463: the enhanced code from the outcome, else the one in the reply text ("550 5.1.1 ..."), else a default.
    internal static string StatusOf(RecipientOutcome outcome, string fallback)
    {
        if (outcome.RemoteEnhancedCode is { } code && EnhancedStatusCode.IsValid(code) && code[0] == fallback[0])
        {
            return code;
        }

        var fromText = StatusFromText(outcome.Diagnostic);
        return fromText is not null && fromText[0] == fallback[0] ? fromText : fallback;
    }

    // "550 5.1.1 text" or the first line of a multi-line reply, "550-5.1.1 text" (RFC 2034 4).
    private static string? StatusFromText(string text) =>
        ReplyCode.TryParse(text, out _, out var rest) && EnhancedStatusCode.TryParseLeading(rest.TrimStart(' '), out var status)
            ? status.ToString()
            : null;

    private void AddNotice(List<NoticeRecipient> list, int index, NoticeRecipient recipient)
    {
        list.Add(recipient);
        _noticeIndexes[recipient] = index;
    }

    // The state lists the recipients in envelope order (MessageState.Initial); fall back to a lookup by address.
    private QueuedRecipient RecipientAt(int index)
    {
        var address = _states[index].Address;
        if (index < _envelope.Recipients.Count && string.Equals(_envelope.Recipients[index].Address, address, StringComparison.Ordinal))
        {
            return _envelope.Recipients[index];
        }

        return _envelope.Recipients.FirstOrDefault(r => string.Equals(r.Address, address, StringComparison.Ordinal))
            ?? new QueuedRecipient(address, MailDirection.Inbound, DsnNotify.None, null, null);
    }
}
