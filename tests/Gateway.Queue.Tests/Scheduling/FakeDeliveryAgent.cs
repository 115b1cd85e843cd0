using Gateway.Queue.Scheduling;

namespace Gateway.Queue.Tests.Scheduling;

/// <summary>Answers each recipient with a scripted reply (by address, in order; the last one repeats).</summary>
internal sealed class FakeDeliveryAgent : IDeliveryAgent
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<string>> _replies = new(StringComparer.Ordinal);

    public List<DeliveryJob> Jobs { get; } = [];

    public Func<DeliveryJob, Task>? BeforeReply { get; set; }

    public Exception? Throw { get; set; }

    public bool PassDsnOn { get; set; }

    /// <summary>True: the scripted replies are the agent's own reasons (no reply code from the host), as a refused
    /// connection or an unmet TLS policy is.</summary>
    public bool LocalReasons { get; set; }

    /// <summary>Replies such as "250 2.0.0 Ok", "451 4.2.0 busy", "550 5.1.1 unknown user".</summary>
    public void Script(string address, params string[] replies)
    {
        lock (_gate)
        {
            _replies[address] = new Queue<string>(replies);
        }
    }

    public async ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Jobs.Add(job);
        }

        if (BeforeReply is { } before)
        {
            await before(job);
        }

        if (Throw is { } exception)
        {
            throw exception;
        }

        var outcomes = new List<RecipientOutcome>();
        foreach (var recipient in job.Recipients)
        {
            string reply;
            lock (_gate)
            {
                var queue = _replies[recipient.Address];
                reply = queue.Count > 1 ? queue.Dequeue() : queue.Peek();
            }

            var code = int.Parse(reply[..3], System.Globalization.CultureInfo.InvariantCulture);
            var kind = code switch
            {
                < 400 => OutcomeKind.Delivered,
                < 500 => OutcomeKind.TransientFailure,
                _ => OutcomeKind.PermanentFailure,
            };
            outcomes.Add(new RecipientOutcome(recipient.Address, kind, reply, "mx.example.test", LocalReasons ? null : code, reply.Split(' ')[1], PassDsnOn));
        }

        return outcomes;
    }
}
