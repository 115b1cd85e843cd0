namespace Gateway.Transport.TlsRpt;

/// <summary>Delivers a report to one "rua" destination (RFC 8460 5.3 mailto, 5.4 https).</summary>
public interface ITlsRptReportSender
{
    /// <summary>Whether this sender handles the destination's scheme.</summary>
    bool CanSend(Uri destination);

    /// <summary>Sends the report; a refusal or network failure comes back as false with a reason, not as an exception.</summary>
    ValueTask<TlsRptSendResult> SendAsync(TlsRptReport report, Uri destination, CancellationToken ct);
}

/// <summary>Whether a report reached a destination, and why not.</summary>
public sealed record TlsRptSendResult(bool Sent, string? Error = null)
{
    public static TlsRptSendResult Success { get; } = new(true);
}
