namespace Gateway.Policy;

/// <summary>A relay decision and a short reason for the log (never shown to the client).</summary>
public readonly record struct RelayResult(RelayOutcome Outcome, string Reason);
