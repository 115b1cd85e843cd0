namespace Gateway.Queue.Notices;

/// <summary>The RFC 3464 2.3.3 Action field values.</summary>
public enum DsnAction
{
    Failed,
    Delayed,
    Delivered,
    Relayed,
    Expanded,
}
