using Gateway.Queue;
using Gateway.Queue.Scheduling;

namespace Gateway.Delivery.Client;

/// <summary>One outcome per recipient of a transaction, and whether its connection can carry the next one.</summary>
internal sealed record TransactionResult(IReadOnlyList<(QueuedRecipient Recipient, RecipientOutcome Outcome)> Outcomes, bool Reusable);
