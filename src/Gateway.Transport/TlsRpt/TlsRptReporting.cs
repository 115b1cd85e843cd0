namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Once a day: takes the completed days from the collector, and for each policy domain that publishes a TLS-RPT
/// record (RFC 8460 3) builds its report and sends it to every destination a sender handles. Domains without a
/// record get nothing; a destination that fails is skipped (RFC 8460 5: reports are best effort).
/// </summary>
public sealed class TlsRptReporting
{
    private readonly TlsRptCollector _collector;
    private readonly TlsRptRecordLookup _records;
    private readonly TlsRptReportBuilder _builder;
    private readonly IReadOnlyList<ITlsRptReportSender> _senders;

    public TlsRptReporting(TlsRptCollector collector, TlsRptRecordLookup records, TlsRptReportBuilder builder, IReadOnlyList<ITlsRptReportSender> senders)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(senders);
        _collector = collector;
        _records = records;
        _builder = builder;
        _senders = senders;
    }

    /// <summary>Sends the reports of the completed days; returns each report with the outcome per destination.</summary>
    public async ValueTask<IReadOnlyList<(TlsRptReport Report, IReadOnlyList<(Uri Destination, TlsRptSendResult Result)> Outcomes)>> SendCompletedAsync(CancellationToken ct)
    {
        var sent = new List<(TlsRptReport, IReadOnlyList<(Uri, TlsRptSendResult)>)>();
        foreach (var day in await _collector.TakeCompletedDaysAsync(ct).ConfigureAwait(false))
        {
            if (await _records.LookupAsync(day.PolicyDomain, ct).ConfigureAwait(false) is not { } record)
            {
                continue;
            }

            var report = _builder.Build(day);
            var outcomes = new List<(Uri, TlsRptSendResult)>();
            foreach (var destination in record.ReportUris)
            {
                var sender = _senders.FirstOrDefault(s => s.CanSend(destination));
                outcomes.Add((destination, sender is null
                    ? new TlsRptSendResult(false, "no sender for " + destination.Scheme)
                    : await sender.SendAsync(report, destination, ct).ConfigureAwait(false)));
            }

            sent.Add((report, outcomes));
        }

        return sent;
    }
}
