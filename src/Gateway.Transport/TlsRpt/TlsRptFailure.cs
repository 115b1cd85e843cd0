using System.Net;

namespace Gateway.Transport.TlsRpt;

/// <summary>
/// One failed session as counted in a report's "failure-details" (RFC 8460 4.3): the result type and what
/// identifies where it happened. Sessions with equal details are counted together.
/// </summary>
public sealed record TlsRptFailure(
    string ResultType,
    IPAddress? SendingMtaIp = null,
    string? ReceivingMxHostname = null,
    IPAddress? ReceivingIp = null,
    string? AdditionalInformation = null);
