using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>The points and block-list zones of one group of checks (the address, the greeting, the sender).</summary>
internal sealed record ReputationPart(IReadOnlyList<SpamReason> Reasons, IReadOnlyList<string> Listings)
{
    public static ReputationPart None { get; } = new([], []);
}
