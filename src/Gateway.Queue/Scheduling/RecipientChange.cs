namespace Gateway.Queue.Scheduling;

/// <summary>A recipient's change in one attempt round, written to the trace log.</summary>
internal sealed record RecipientChange(string Event, string Address, string? RemoteMta, string? Reply);
