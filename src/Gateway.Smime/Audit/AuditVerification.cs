namespace Gateway.Smime.Audit;

/// <summary>
/// The outcome of checking the chain. <see cref="HeadHash"/> is the hash of the last good entry: kept
/// outside the machine (a ticket, a printout), it also exposes a log cut short or rewritten as a whole,
/// which no chain can detect on its own.
/// </summary>
public sealed record AuditVerification(bool IsIntact, int EntryCount, string HeadHash, int? FirstBrokenLine, string? Problem);
