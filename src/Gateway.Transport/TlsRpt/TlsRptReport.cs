namespace Gateway.Transport.TlsRpt;

/// <summary>
/// One built report (RFC 8460 4.4) for a policy domain and day: the JSON, its gzip, the file name of RFC 8460 5.1,
/// and the Subject of RFC 8460 5.3.
/// </summary>
public sealed record TlsRptReport(
    string PolicyDomain,
    string ReportId,
    DateTimeOffset Begin,
    DateTimeOffset End,
    ReadOnlyMemory<byte> Json,
    ReadOnlyMemory<byte> Gzip,
    string FileName,
    string Subject);
