namespace Gateway.Abstractions;

/// <summary>
/// Why the message pipeline keeps a message in the quarantine instead of delivering it: which check decided, one line
/// for people, and for a scored verdict its score, the threshold it reached and the tests that hit. Stored with the
/// held message (the spool's hold marker), shown by `gateway quarantine show` and the admin endpoints.
/// </summary>
/// <param name="Source">The check that decided: "spam", "dmarc", ...</param>
/// <param name="Reason">One line for people, e.g. "dmarc=fail policy.from=example.com p=quarantine".</param>
public sealed record QuarantineNote(string Source, string Reason)
{
    /// <summary>The content score, when a scorer decided.</summary>
    public double? Score { get; init; }

    /// <summary>The threshold the score reached.</summary>
    public double? Threshold { get; init; }

    /// <summary>The rules and inputs that contributed, as "NAME=points".</summary>
    public IReadOnlyList<string> Tests { get; init; } = [];
}
