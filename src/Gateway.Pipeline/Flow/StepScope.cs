using Gateway.Abstractions;

namespace Gateway.Pipeline.Flow;

/// <summary>For which clients a step of a flow runs: the columns of the trust matrix in the README.</summary>
public enum StepScope
{
    /// <summary>Every message of the flow.</summary>
    Always,

    /// <summary>Clients that must own their senders: authenticated, outside the trusted networks.</summary>
    OwnedSenders,

    /// <summary>Clients whose mail is not the organisation's own: anonymous, and authenticated without relay rights.</summary>
    External,

    /// <summary>The organisation's own senders: trusted networks, and authenticated with relay rights.</summary>
    Internal,
}

/// <summary>How a scope reads the trust decision.</summary>
public static class StepScopes
{
    public static bool Includes(this StepScope scope, ClientTrust trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        return scope switch
        {
            StepScope.Always => true,
            StepScope.OwnedSenders => trust.MustOwnSenders,
            StepScope.External => !trust.IsInternal,
            StepScope.Internal => trust.IsInternal,
            _ => false,
        };
    }
}
