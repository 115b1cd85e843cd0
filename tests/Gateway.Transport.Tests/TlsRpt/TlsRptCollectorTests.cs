using System.Net;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Transport.Tests.TlsRpt;

public sealed class TlsRptCollectorTests : IDisposable
{
    private static readonly TlsRptPolicy Sts = new(TlsRptPolicyTypes.Sts, "example.org", ["version: STSv1", "mode: enforce"], ["*.example.org"]);
    private static readonly TlsRptPolicy Tlsa = new(TlsRptPolicyTypes.Tlsa, "example.org", ["3 1 1 ab"], ["mx.example.org"]);
    private static readonly TlsRptFailure Mismatch = new(TlsRptResultTypes.CertificateHostMismatch, IPAddress.Parse("192.0.2.1"), "mx.example.org", IPAddress.Parse("198.51.100.7"));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tlsrpt-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private TlsRptCollector Collector() => new(new TlsRptCollectorOptions { Directory = _directory }, _time);

    [Fact]
    public async Task Pending_days_are_shown_without_being_forgotten()
    {
        using var collector = Collector();
        collector.RecordFailure(Sts, Mismatch);
        _time.Advance(TimeSpan.FromDays(1));
        collector.RecordSuccess(Tlsa);

        var completed = Assert.Single(collector.PendingDays(includeToday: false));
        Assert.Equal(new DateOnly(2025, 6, 1), completed.Day);
        Assert.Equal(1, Assert.Single(completed.Policies).FailedSessions);
        Assert.Equal([new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 2)], collector.PendingDays(includeToday: true).Select(d => d.Day));

        // Looking took nothing: the completed day is still there to be sent.
        Assert.Equal(new DateOnly(2025, 6, 1), Assert.Single(await collector.TakeCompletedDaysAsync(CancellationToken.None)).Day);
        Assert.Empty(collector.PendingDays(includeToday: false));
    }

    [Fact]
    public void Sessions_are_counted_per_policy_and_failures_grouped_by_detail()
    {
        using var collector = Collector();
        collector.RecordSuccess(Sts);
        collector.RecordSuccess(Sts with { PolicyStrings = ["version: STSv1", "mode: enforce"] });
        collector.RecordFailure(Sts, Mismatch);
        collector.RecordFailure(Sts, Mismatch with { ReceivingIp = IPAddress.Parse("198.51.100.7") });
        collector.RecordFailure(Sts, Mismatch with { ResultType = TlsRptResultTypes.StartTlsNotSupported });
        collector.RecordSuccess(Tlsa);

        var day = collector.Peek(new DateOnly(2025, 6, 1), "EXAMPLE.org")!;

        Assert.Equal(2, day.Policies.Count);
        var sts = day.Policies.Single(p => p.Policy.PolicyType == TlsRptPolicyTypes.Sts);
        Assert.Equal(2, sts.SuccessfulSessions);
        Assert.Equal(3, sts.FailedSessions);
        Assert.Equal(2, sts.Failures.Single(f => f.Failure.ResultType == TlsRptResultTypes.CertificateHostMismatch).Sessions);
        Assert.Equal(1, day.Policies.Single(p => p.Policy.PolicyType == TlsRptPolicyTypes.Tlsa).SuccessfulSessions);
    }

    [Fact]
    public async Task Only_days_that_are_over_are_taken_and_they_are_taken_once()
    {
        using var collector = Collector();
        collector.RecordSuccess(Sts);
        _time.Advance(TimeSpan.FromDays(1));
        collector.RecordFailure(Sts, Mismatch);

        var taken = await collector.TakeCompletedDaysAsync(CancellationToken.None);

        var day = Assert.Single(taken);
        Assert.Equal(new DateOnly(2025, 6, 1), day.Day);
        Assert.Equal(1, day.Policies[0].SuccessfulSessions);
        Assert.Equal(0, day.Policies[0].FailedSessions);
        Assert.Empty(await collector.TakeCompletedDaysAsync(CancellationToken.None));
        Assert.Equal(1, collector.Peek(new DateOnly(2025, 6, 2), "example.org")!.Policies[0].FailedSessions);
    }

    [Fact]
    public async Task Counts_survive_a_restart()
    {
        using (var before = Collector())
        {
            before.RecordSuccess(Sts);
            before.RecordFailure(Sts, Mismatch);
            before.RecordFailure(Sts, Mismatch);
            await before.SaveAsync(CancellationToken.None);
        }

        Assert.False(File.Exists(Path.Combine(_directory, "tlsrpt-state.json.tmp")));
        using var after = Collector();
        await after.LoadAsync(CancellationToken.None);
        after.RecordSuccess(Sts);

        var sts = after.Peek(new DateOnly(2025, 6, 1), "example.org")!.Policies.Single();
        Assert.Equal(Sts, sts.Policy);
        Assert.Equal(2, sts.SuccessfulSessions);
        Assert.Equal(2, sts.FailedSessions);
        var failure = Assert.Single(sts.Failures);
        Assert.Equal(Mismatch, failure.Failure);
        Assert.Equal(2, failure.Sessions);
    }

    [Fact]
    public async Task Taken_days_stay_gone_after_a_restart()
    {
        using (var before = Collector())
        {
            before.RecordSuccess(Sts);
            await before.SaveAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromDays(1));
            Assert.Single(await before.TakeCompletedDaysAsync(CancellationToken.None));
        }

        using var after = Collector();
        await after.LoadAsync(CancellationToken.None);

        Assert.Empty(await after.TakeCompletedDaysAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_sessions_are_all_counted()
    {
        using var collector = Collector();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                collector.RecordSuccess(Sts);
                collector.RecordFailure(Sts, Mismatch);
            }
        })));

        var sts = collector.Peek(new DateOnly(2025, 6, 1), "example.org")!.Policies.Single();
        Assert.Equal(8000, sts.SuccessfulSessions);
        Assert.Equal(8000, sts.FailedSessions);
        Assert.Equal(8000, sts.Failures.Single().Sessions);
    }

    [Fact]
    public void Distinct_failure_details_are_bounded_but_all_failures_are_counted()
    {
        using var collector = new TlsRptCollector(new TlsRptCollectorOptions { Directory = _directory, MaxFailureDetails = 2 }, _time);
        for (var i = 1; i <= 5; i++)
        {
            collector.RecordFailure(Sts, Mismatch with { SendingMtaIp = IPAddress.Parse("192.0.2." + i) });
        }

        var sts = collector.Peek(new DateOnly(2025, 6, 1), "example.org")!.Policies.Single();
        Assert.Equal(5, sts.FailedSessions);
        Assert.Equal(2, sts.Failures.Count);
    }
}
