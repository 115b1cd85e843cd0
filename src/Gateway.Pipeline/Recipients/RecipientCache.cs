using Gateway.Abstractions;
using Gateway.Lookups;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Recipients;

/// <summary>
/// One domain's remembered answers, kept by the host across policy reloads that leave the domain's settings alone:
/// known addresses for the found TTL, unknown ones for the not-found TTL (bounded; the entry closest to expiry makes
/// room), failures never, so an outage ends for the first RCPT after it. At most <c>concurrency</c> lookups run at
/// once; an RCPT that finds no free slot within the wait is answered unavailable rather than queued behind a hung
/// server. Also keeps the largest message size the domain's internal server last declared (call-ahead's EHLO SIZE).
/// </summary>
public sealed class RecipientCache : IDisposable
{
    public const int DefaultCapacity = 10_000;

    private readonly string _domain;
    private readonly TimeSpan _found;
    private readonly TimeSpan _notFound;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TtlCache<string, bool> _answers;
    private readonly SemaphoreSlim _slots;
    private long _learnedSize;

    /// <param name="domain">The domain whose addresses it holds (for the log).</param>
    /// <param name="found">How long a known address is remembered; zero: not at all.</param>
    /// <param name="notFound">How long an unknown address is remembered; zero: not at all.</param>
    /// <param name="concurrency">Lookups at the same time.</param>
    /// <param name="wait">How long an RCPT waits for a free slot.</param>
    /// <param name="time">The clock of the TTLs and of the wait.</param>
    /// <param name="logger">A learned size that changes is logged.</param>
    /// <param name="capacity">Addresses remembered at most.</param>
    public RecipientCache(string domain, TimeSpan found, TimeSpan notFound, int concurrency, TimeSpan wait, TimeProvider time, ILogger logger, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        _domain = domain;
        _found = found;
        _notFound = notFound;
        _wait = wait;
        _time = time;
        _logger = logger;
        _answers = new TtlCache<string, bool>(time, capacity, StringComparer.OrdinalIgnoreCase);
        _slots = new SemaphoreSlim(concurrency, concurrency);
    }

    /// <summary>The largest message the internal server last declared (EHLO SIZE), or null when none was learned.</summary>
    public long? LearnedMessageSize => Interlocked.Read(ref _learnedSize) is > 0 and var size ? size : null;

    /// <summary>Answers from memory, else asks <paramref name="source"/> (within the concurrency cap) and remembers a verdict.</summary>
    public async ValueTask<RecipientCheck> CheckAsync(Mailbox recipient, IRecipientSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(source);

        // Local parts compare without regard to case, as LDAP's mail attribute and the servers we front do.
        var key = recipient.LocalPart + "@" + recipient.Domain;
        if (_answers.TryGet(key, out var known))
        {
            return new RecipientCheck(known ? RecipientStatus.Known : RecipientStatus.Unknown, source.Name, "cached");
        }

        using (var waiting = new CancellationTokenSource(_wait, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, waiting.Token))
        {
            try
            {
                await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (waiting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new RecipientCheck(RecipientStatus.Unavailable, source.Name, "too many checks at once");
            }
        }

        RecipientCheck check;
        try
        {
            check = await source.LookupAsync(recipient, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }

        if (check.MaxMessageSize is { } size and > 0 && Interlocked.Exchange(ref _learnedSize, size) != size)
        {
            PipelineLog.MessageSizeLearned(_logger, _domain, size);
        }

        switch (check.Status)
        {
            case RecipientStatus.Known when _found > TimeSpan.Zero:
                _answers.Set(key, true, _found);
                break;
            case RecipientStatus.Unknown when _notFound > TimeSpan.Zero:
                _answers.Set(key, false, _notFound);
                break;
        }

        return check;
    }

    public void Dispose() => _slots.Dispose();
}
