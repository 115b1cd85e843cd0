namespace Gateway.Queue.Scheduling;

/// <summary>
/// Delivers one message to some of its recipients (implemented by Gateway.Delivery). The scheduler passes every
/// pending recipient of a message; the agent groups them by next hop itself and returns exactly one outcome per
/// recipient it was given. An exception means "no outcome": every recipient is deferred and retried.
/// </summary>
public interface IDeliveryAgent
{
    ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken);
}
