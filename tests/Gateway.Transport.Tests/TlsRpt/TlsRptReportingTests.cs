using Gateway.Dns;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Transport.Tests.TlsRpt;

public sealed class TlsRptReportingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tlsrpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class RecordingSender : ITlsRptReportSender
    {
        public List<(TlsRptReport Report, Uri Destination)> Sent { get; } = [];

        public bool CanSend(Uri destination) => destination.Scheme == Uri.UriSchemeMailto;

        public ValueTask<TlsRptSendResult> SendAsync(TlsRptReport report, Uri destination, CancellationToken ct)
        {
            Sent.Add((report, destination));
            return ValueTask.FromResult(TlsRptSendResult.Success);
        }
    }

    [Fact]
    public async Task Completed_days_are_reported_to_domains_that_publish_a_record_only()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero));
        using var collector = new TlsRptCollector(new TlsRptCollectorOptions { Directory = _directory }, time);
        var dns = new InMemoryDnsResolver().AddTxt("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://r.example.org/");
        collector.RecordSuccess(TlsRptPolicy.NoPolicy("example.org"));
        collector.RecordSuccess(TlsRptPolicy.NoPolicy("silent.test"));
        time.Advance(TimeSpan.FromDays(1));
        var sender = new RecordingSender();
        var reporting = new TlsRptReporting(collector, new TlsRptRecordLookup(dns), new TlsRptReportBuilder(TlsRptReportBuilderTests.Options), [sender]);

        var reports = await reporting.SendCompletedAsync(CancellationToken.None);

        var (report, outcomes) = Assert.Single(reports);
        Assert.Equal("example.org", report.PolicyDomain);
        Assert.Equal("mailto:tlsrpt@example.org", Assert.Single(sender.Sent).Destination.OriginalString);
        Assert.True(outcomes[0].Result.Sent);
        Assert.False(outcomes[1].Result.Sent);
    }
}
