namespace Gateway.Abstractions;

/// <summary>What a stage check decided. Checks never write to the socket; the session turns this into a reply.</summary>
public enum VerdictAction
{
    /// <summary>Go on; the session sends its normal positive reply.</summary>
    Continue,

    /// <summary>Refuse this command with the given 5xx reply.</summary>
    Reject,

    /// <summary>Refuse this command with the given 4xx reply (try again later).</summary>
    TempFail,

    /// <summary>Answer with the given reply and close the connection (421 or 554 at connect).</summary>
    Disconnect,
}

public readonly record struct Verdict(VerdictAction Action, SmtpReply? Reply, string? Reason)
{
    public static Verdict Continue { get; } = new(VerdictAction.Continue, null, null);

    public static Verdict Reject(SmtpReply reply, string? reason = null) =>
        new(reply.IsTransientFailure ? VerdictAction.TempFail : VerdictAction.Reject, reply, reason);

    public static Verdict Disconnect(SmtpReply reply, string? reason = null) =>
        new(VerdictAction.Disconnect, reply, reason);

    public bool IsContinue => Action == VerdictAction.Continue;
}
