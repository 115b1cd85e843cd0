using System.Net;
using System.Text.Json;
using Gateway.Dns;
using Gateway.Host.Cli;
using Gateway.Host.Reports;
using Gateway.Policy;
using Gateway.Testing;
using Gateway.Transport.MtaSts;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.TransportSecurity;

/// <summary>`gateway tlsrpt report --dry-run` and `gateway mta-sts cache`: what they print, and that they change nothing.</summary>
public sealed class TransportSecurityCommandTests
{
    private static readonly TlsRptPolicy Sts = new(TlsRptPolicyTypes.Sts, "remote.test", ["version: STSv1", "mode: enforce"], ["mx.remote.test"]);

    private readonly string _state = TestDirectories.CreateTemp("gw-cli-tls");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));

    private GatewayPolicy Policy(bool reporting = true) => new()
    {
        HostName = "mx.gateway.test",
        StateDirectory = _state,
        Delivery = new DeliveryPolicy { Tls = new OutboundTlsPolicy { Reporting = new TlsReportingPolicy { Enabled = reporting } } },
    };

    private TlsRptCollector Collector() => new(new TlsRptCollectorOptions { Directory = Path.Combine(_state, "tlsrpt") }, _time);

    private static async Task<string> DryRunAsync(GatewayPolicy policy, TlsRptCollector collector, InMemoryDnsResolver dns, bool includeToday)
    {
        using var output = new StringWriter();
        await TlsRptCommand.PrintAsync(
            output, policy, collector, new TlsRptRecordLookup(dns), new TlsRptReportBuilder(TlsRptReportingSettings.For(policy)), includeToday, CancellationToken.None);
        return output.ToString();
    }

    [Fact]
    public async Task The_dry_run_prints_each_completed_day_with_its_rua_targets_and_json_and_forgets_nothing()
    {
        using (var day = Collector())
        {
            day.RecordFailure(Sts, new TlsRptFailure(TlsRptResultTypes.CertificateHostMismatch, IPAddress.Parse("127.0.0.1"), "mx.remote.test", IPAddress.Parse("127.0.0.9")));
            day.RecordSuccess(Sts with { PolicyDomain = "quiet.test" });
            await day.SaveAsync(CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromDays(1));
        var statePath = Path.Combine(_state, "tlsrpt", "tlsrpt-state.json");
        var saved = await File.ReadAllBytesAsync(statePath);
        using var collector = Collector();
        await collector.LoadAsync(CancellationToken.None);
        collector.RecordSuccess(Sts);
        var dns = new InMemoryDnsResolver().AddTxt("_smtp._tls.remote.test", "v=TLSRPTv1; rua=mailto:tlsrpt@remote.test,https://reports.remote.test/v1");

        var output = await DryRunAsync(Policy(), collector, dns, includeToday: false);

        Assert.Contains("# 2 report(s) pending (completed days)", output, StringComparison.Ordinal);
        Assert.Contains("# remote.test 2026-03-01: rua mailto:tlsrpt@remote.test, https://reports.remote.test/v1", output, StringComparison.Ordinal);
        Assert.Contains("# quiet.test 2026-03-01: no TLS-RPT record at _smtp._tls.quiet.test: nothing would be sent", output, StringComparison.Ordinal);
        var remote = output[output.IndexOf("# remote.test", StringComparison.Ordinal)..];
        using var json = JsonDocument.Parse(remote[remote.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal("2026-03-01T00:00:00Z_remote.test@mx.gateway.test", json.RootElement.GetProperty("report-id").GetString());
        var failure = Assert.Single(json.RootElement.GetProperty("policies")[0].GetProperty("failure-details").EnumerateArray());
        Assert.Equal("certificate-host-mismatch", failure.GetProperty("result-type").GetString());

        // Today's success shows only when asked for; nothing was taken or written.
        Assert.Contains("# remote.test 2026-03-02", await DryRunAsync(Policy(), collector, dns, includeToday: true), StringComparison.Ordinal);
        Assert.Equal(2, collector.PendingDays(includeToday: false).Count);
        Assert.Equal(saved, await File.ReadAllBytesAsync(statePath));
    }

    [Fact]
    public async Task The_dry_run_says_when_reporting_is_off()
    {
        using var collector = Collector();
        var output = await DryRunAsync(Policy(reporting: false), collector, new InMemoryDnsResolver(), includeToday: true);
        Assert.StartsWith("# delivery.tls.reporting.enabled is false: nothing would be sent", output, StringComparison.Ordinal);
        Assert.Contains("# 0 report(s) pending (completed days and today so far)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cache_listing_shows_domain_id_mode_expiry_and_mx_patterns()
    {
        var directory = Path.Combine(_state, "mta-sts");
        Assert.Empty(await MtaStsPolicyStore.ReadEntriesAsync(directory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None));
        var store = await MtaStsPolicyStore.OpenAsync(directory, Microsoft.Extensions.Logging.Abstractions.NullLogger<MtaStsPolicyStore>.Instance, CancellationToken.None);
        var now = _time.GetUtcNow();
        var policy = MtaStsPolicyParser.Parse("version: STSv1\r\nmode: testing\r\nmx: mx1.remote.test\r\nmx: *.backup.test\r\nmax_age: 86400\r\n").Policy!;
        await store.SaveAsync(new MtaStsCachedPolicy("remote.test", "20260301", policy, now, now.AddDays(1)), CancellationToken.None);
        await store.SaveAsync(new MtaStsCachedPolicy("old.test", "1", policy, now.AddDays(-3), now.AddHours(-1)), CancellationToken.None);

        var entries = await MtaStsPolicyStore.ReadEntriesAsync(directory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        using var output = new StringWriter();
        await MtaStsCacheCommand.PrintAsync(output, entries, now);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^old\.test\s+1\s+testing\s+2026-03-01T09:00:00Z \(expired\)\s+mx1\.remote\.test,\*\.backup\.test$", lines[1]);
        Assert.Matches(@"^remote\.test\s+20260301\s+testing\s+2026-03-02T10:00:00Z\s+mx1\.remote\.test,\*\.backup\.test$", lines[2]);
        Assert.Equal("# 2 cached policies", lines[3]);
    }
}
