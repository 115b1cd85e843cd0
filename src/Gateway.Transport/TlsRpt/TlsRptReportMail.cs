namespace Gateway.Transport.TlsRpt;

/// <summary>One report mail for the outbound queue: envelope sender, recipients and the message bytes.</summary>
public sealed record TlsRptReportMail(string From, IReadOnlyList<string> Recipients, ReadOnlyMemory<byte> Content);
