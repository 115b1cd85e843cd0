namespace Gateway.Authentication.Reports;

/// <summary>One report mail, ready for the outbound queue: the envelope and the message (signed when we hold a key).</summary>
public sealed record DmarcReportMail(string From, IReadOnlyList<string> Recipients, ReadOnlyMemory<byte> Content);
