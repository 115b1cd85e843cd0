using Gateway.Queue.Scheduling;

namespace Gateway.Delivery.Client;

/// <summary>
/// The message of a delivery job: its <see cref="MessageFacts"/>, read once, and the streams its transactions
/// send from. The stream the facts were read from is handed to the first transaction that asks (rewound), so the
/// usual job with one destination opens the spool file once; further transactions open their own.
/// </summary>
internal sealed class SpooledMessage : IAsyncDisposable
{
    private readonly DeliveryJob _job;
    private Stream? _first;

    private SpooledMessage(DeliveryJob job, MessageFacts facts, Stream? first)
    {
        _job = job;
        Facts = facts;
        _first = first;
    }

    public MessageFacts Facts { get; }

    public static async ValueTask<SpooledMessage> ReadAsync(DeliveryJob job, CancellationToken ct)
    {
        var stream = await job.OpenMessage(ct).ConfigureAwait(false);
        try
        {
            var facts = await MessageFacts.ReadAsync(stream, ct).ConfigureAwait(false);
            if (!stream.CanSeek)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                return new SpooledMessage(job, facts, null);
            }

            return new SpooledMessage(job, facts, stream);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A stream at the start of the message; the caller disposes it.</summary>
    public async ValueTask<Stream> OpenAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _first, null) is { } first)
        {
            first.Position = 0;
            return first;
        }

        return await _job.OpenMessage(ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _first, null)?.DisposeAsync() ?? ValueTask.CompletedTask;
}
