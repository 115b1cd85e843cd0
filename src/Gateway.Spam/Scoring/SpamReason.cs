namespace Gateway.Spam.Scoring;

/// <summary>One contribution to a verdict: a rule or input name and the points it added.</summary>
public readonly record struct SpamReason(string Name, double Score);
