using Gateway.Authentication.Reports;
using Gateway.Testing;
using static Gateway.Authentication.Tests.Reports.DmarcReportTestData;

namespace Gateway.Authentication.Tests.Reports;

public sealed class DmarcReportStoreTests : IDisposable
{
    private readonly string _directory = TestDirectories.CreateTemp("dmarc-store");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<List<DmarcReportRecord>> ReadAll(DmarcReportStore store, DateTimeOffset begin, DateTimeOffset end)
    {
        var records = new List<DmarcReportRecord>();
        await foreach (var record in store.ReadAsync(begin, end, CancellationToken.None))
        {
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public async Task Records_round_trip_through_one_file_per_utc_day()
    {
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = _directory });
        var first = Record(Day.AddHours(1));
        Assert.True(await store.AppendAsync(first, CancellationToken.None));
        Assert.True(await store.AppendAsync(Record(Day.AddHours(23).AddMinutes(59), ip: "192.0.2.2"), CancellationToken.None));
        Assert.True(await store.AppendAsync(Record(Day.AddDays(1).AddMinutes(1), ip: "192.0.2.3"), CancellationToken.None));

        Assert.Equal(["dmarc-2024-05-01.jsonl", "dmarc-2024-05-02.jsonl"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
        var day = await ReadAll(store, Day, Day.AddDays(1));
        Assert.Equal(["192.0.2.1", "192.0.2.2"], day.Select(r => r.SourceIp));
        Assert.Equal(first.PolicyPublished, day[0].PolicyPublished);
        Assert.Equal(first.Dkim, day[0].Dkim);
        Assert.Equal(first.Spf, day[0].Spf);
        Assert.Equal(first.Time, day[0].Time);
        Assert.Equal(3, (await ReadAll(store, Day, Day.AddDays(2))).Count);
        Assert.Equal("192.0.2.2", Assert.Single(await ReadAll(store, Day.AddHours(2), Day.AddDays(1))).SourceIp);
        Assert.Contains("\"disposition\":\"None\"", File.ReadAllText(Path.Combine(_directory, "dmarc-2024-05-01.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_limit_bounds_the_file_and_survives_a_restart()
    {
        var options = new DmarcReportStoreOptions { Directory = _directory, MaxRecordsPerDay = 3 };
        await using (var store = new DmarcReportStore(options))
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.True(await store.AppendAsync(Record(Day.AddMinutes(i)), CancellationToken.None));
            }
        }

        await using (var store = new DmarcReportStore(options))
        {
            Assert.True(await store.AppendAsync(Record(Day.AddMinutes(5)), CancellationToken.None));
            Assert.False(await store.AppendAsync(Record(Day.AddMinutes(6)), CancellationToken.None));
            Assert.False(await store.AppendAsync(Record(Day.AddMinutes(7)), CancellationToken.None));
            Assert.True(await store.AppendAsync(Record(Day.AddDays(1)), CancellationToken.None));
            Assert.Equal(3, (await ReadAll(store, Day, Day.AddDays(1))).Count);
        }
    }

    [Fact]
    public async Task Malformed_lines_from_a_crash_are_skipped()
    {
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = _directory });
        await store.AppendAsync(Record(Day.AddHours(1)), CancellationToken.None);
        await File.AppendAllTextAsync(Path.Combine(_directory, "dmarc-2024-05-01.jsonl"), "{\"time\":\"2024-05-01T02:00:00+00:00\",\"sourceIp\":\n[1,2]\n{}\n");
        await store.AppendAsync(Record(Day.AddHours(3)), CancellationToken.None);
        Assert.Equal(2, (await ReadAll(store, Day, Day.AddDays(1))).Count);
    }

    [Fact]
    public async Task Old_days_are_deleted()
    {
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = _directory });
        await store.AppendAsync(Record(Day), CancellationToken.None);
        await store.AppendAsync(Record(Day.AddDays(1)), CancellationToken.None);
        await store.AppendAsync(Record(Day.AddDays(2)), CancellationToken.None);
        File.WriteAllText(Path.Combine(_directory, "unrelated.txt"), "keep");
        Assert.Equal(2, await store.DeleteBeforeAsync(Day.AddDays(2), CancellationToken.None));
        Assert.Equal(["dmarc-2024-05-03.jsonl", "unrelated.txt"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
        Assert.True(await store.AppendAsync(Record(Day.AddDays(2).AddHours(1)), CancellationToken.None));
        Assert.Equal(2, (await ReadAll(store, Day, Day.AddDays(3))).Count);
    }

    [Fact]
    public async Task Concurrent_appends_keep_every_line_whole()
    {
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = _directory });
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.AppendAsync(Record(Day.AddSeconds(i), ip: $"192.0.2.{i % 250}"), CancellationToken.None).AsTask()));
        Assert.Equal(200, (await ReadAll(store, Day, Day.AddDays(1))).Count);
    }
}
