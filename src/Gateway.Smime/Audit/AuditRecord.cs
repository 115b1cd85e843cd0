namespace Gateway.Smime.Audit;

/// <summary>
/// What happened, as the caller states it; the log adds the time, sequence number and chain hashes.
/// Details are short key/value facts (sealer kind, certificate thumbprint), never key material.
/// </summary>
public sealed record AuditRecord(string Actor, string Action, string Subject, IReadOnlyDictionary<string, string>? Details = null);
