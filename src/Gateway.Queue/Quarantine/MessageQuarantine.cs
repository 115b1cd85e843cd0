using Microsoft.Extensions.Logging;

namespace Gateway.Queue;

/// <summary>
/// The quarantine, built on the spool's hold: an item is a queued message whose hold marker carries a
/// <see cref="QuarantineRecord"/>. It is already durable (it got its 250), the scheduler leaves it alone (no delivery,
/// no delay notice, no bounce), release delivers it to its original recipients through the normal queue, delete
/// removes it, and after the retention period it is deleted without a notice (the sender was told 250, as for wanted
/// mail; a notice to a likely forged sender would be backscatter). Every change is traced by the store and logged
/// here. Works on the spool files, so the gateway and `gateway quarantine` share it.
/// </summary>
public sealed class MessageQuarantine
{
    private readonly IQueueStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<MessageQuarantine> _logger;

    public MessageQuarantine(IQueueStore store, TimeProvider time, ILogger<MessageQuarantine> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Every quarantine item, oldest first.</summary>
    public async IAsyncEnumerable<QueueEntry> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Quarantine is not null)
            {
                yield return entry;
            }
        }
    }

    /// <summary>The item, or null when no message of that id is in the quarantine (an operator's hold is not).</summary>
    public async ValueTask<QueueEntry?> GetAsync(string queueId, CancellationToken cancellationToken) =>
        QueueId.IsValid(queueId) && await _store.GetAsync(queueId, cancellationToken).ConfigureAwait(false) is { Quarantine: not null } entry
            ? entry
            : null;

    /// <summary>The raw message as it would be delivered (our fields on top); the caller disposes it.</summary>
    public ValueTask<Stream> OpenMessageAsync(string queueId, CancellationToken cancellationToken) => _store.OpenMessageAsync(queueId, cancellationToken);

    /// <summary>
    /// Releases an item: it is delivered to its original recipients through the queue, at once, with the retry
    /// schedule's clock (delay notice, expiry) starting now rather than at reception. With
    /// <paramref name="learnDirectory"/>, a copy goes there first for `gateway spam train --ham`. False: no such item.
    /// </summary>
    public async ValueTask<bool> ReleaseAsync(string queueId, string actor, string? learnDirectory, CancellationToken cancellationToken)
    {
        if (await GetAsync(queueId, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return false;
        }

        if (learnDirectory is not null)
        {
            var path = await CopyAsync(queueId, learnDirectory, cancellationToken).ConfigureAwait(false);
            QuarantineLog.CopiedForLearning(_logger, queueId, path);
        }

        // The state first: should we stop between the two, the item is still held and a second release repeats this.
        var now = _time.GetUtcNow();
        await _store.SaveStateAsync(entry.State with { NextAttemptAt = now, LifetimeStart = now }, cancellationToken).ConfigureAwait(false);
        var detail = $"released from the quarantine by {actor}" + (learnDirectory is null ? "" : ", kept to learn as ham");
        await _store.ReleaseAsync(queueId, detail, cancellationToken).ConfigureAwait(false);
        QuarantineLog.Released(_logger, queueId, actor, learnDirectory is not null, entry.Envelope.Recipients.Count);
        return true;
    }

    /// <summary>Deletes an item (the trace records who). False: no such item.</summary>
    public async ValueTask<bool> DeleteAsync(string queueId, string actor, CancellationToken cancellationToken)
    {
        if (await GetAsync(queueId, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        await _store.RemoveAsync(queueId, $"deleted from the quarantine by {actor}", cancellationToken).ConfigureAwait(false);
        QuarantineLog.Deleted(_logger, queueId, actor);
        return true;
    }

    /// <summary>When an item's retention ends.</summary>
    public static DateTimeOffset ExpiresAt(QuarantineRecord record, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.QuarantinedAt + retention;
    }

    /// <summary>Deletes every item quarantined at least <paramref name="retention"/> ago, without a notice; returns how many.</summary>
    public async ValueTask<int> ExpireAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = new List<string>();
        await foreach (var entry in ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ExpiresAt(entry.Quarantine!, retention) <= now)
            {
                due.Add(entry.Envelope.QueueId);
            }
        }

        var expired = 0;
        foreach (var id in due)
        {
            // Looked at again just before: released or deleted meanwhile (by the CLI, say) is not ours to remove.
            if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is not { Quarantine: { } record } entry || ExpiresAt(record, retention) > now)
            {
                continue;
            }

            var envelope = entry.Envelope;
            var recipients = string.Join(",", envelope.Recipients.Select(r => r.Address));
            await _store.RemoveAsync(id, $"quarantine retention of {retention} ended; deleted without a notice", cancellationToken).ConfigureAwait(false);
            QuarantineLog.Expired(_logger, id, envelope.From ?? string.Empty, recipients, record.Source, record.QuarantinedAt, retention);
            expired++;
        }

        return expired;
    }

    /// <summary>
    /// Writes the message to DIR/&lt;id&gt;.eml through a dot-file renamed into place, so a training run never reads
    /// half of it (`spam train` skips dot-files); a second release overwrites the same copy instead of adding one.
    /// </summary>
    private async Task<string> CopyAsync(string queueId, string directory, CancellationToken cancellationToken)
    {
        OwnerOnlyDirectory.Create(directory);
        var path = Path.Combine(directory, queueId + ".eml");
        var temporary = Path.Combine(directory, "." + queueId + ".tmp");
        try
        {
            var source = await _store.OpenMessageAsync(queueId, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                    await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                    target.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
