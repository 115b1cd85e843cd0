namespace Gateway.Transport.TlsRpt;

/// <summary>Sends reports to "mailto:" destinations through the outbound queue (RFC 8460 5.3).</summary>
public sealed class MailtoTlsRptReportSender : ITlsRptReportSender
{
    private readonly TlsRptMailComposer _composer;
    private readonly ITlsRptReportOutbox _outbox;

    public MailtoTlsRptReportSender(TlsRptMailComposer composer, ITlsRptReportOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(composer);
        ArgumentNullException.ThrowIfNull(outbox);
        _composer = composer;
        _outbox = outbox;
    }

    public bool CanSend(Uri destination) => destination?.Scheme == Uri.UriSchemeMailto;

    public async ValueTask<TlsRptSendResult> SendAsync(TlsRptReport report, Uri destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(destination);

        // mailto:a@example.org (RFC 6068): the path is the address; hfields are not honoured for reports.
        var address = Uri.UnescapeDataString(destination.OriginalString["mailto:".Length..].Split('?')[0]);
        if (address.Length == 0 || !address.Contains('@', StringComparison.Ordinal))
        {
            return new TlsRptSendResult(false, "mailto URI without an address");
        }

        await _outbox.QueueAsync(_composer.Compose(report, [address]), ct).ConfigureAwait(false);
        return TlsRptSendResult.Success;
    }
}
