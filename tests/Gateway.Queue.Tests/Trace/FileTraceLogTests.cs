using Gateway.Testing;

namespace Gateway.Queue.Tests.Trace;

public sealed class FileTraceLogTests : IDisposable
{
    private readonly string _directory = TestDirectories.CreateTemp("gwtrace");

    [Fact]
    public async Task Events_go_to_their_utc_day_file_and_read_back_since_a_time()
    {
        using var log = new FileTraceLog(_directory);
        var day1 = new DateTimeOffset(2026, 11, 22, 23, 30, 0, TimeSpan.Zero);
        var events = new[]
        {
            new TraceEvent(day1, "received", "0000000000000001", "a@x.test", ["b@y.test"], "192.0.2.1", "250 2.0.0 Ok", null),
            new TraceEvent(day1.AddMinutes(20), "attempt", "0000000000000001", "a@x.test", ["b@y.test"], "mx.y.test", null, "line\nbreak"),
            new TraceEvent(day1.AddMinutes(45), "delivered", "0000000000000001", null, ["b@y.test", "c@y.test"], "mx.y.test", "250 ok", null),

            // Written with a +02:00 offset: still filed by its UTC day.
            new TraceEvent(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.FromHours(2)), "deleted", "0000000000000002", null, [], null, null, "by admin"),
        };
        foreach (var e in events)
        {
            await log.WriteAsync(e, CancellationToken.None);
        }

        Assert.Equal(
            ["trace-20261122.jsonl", "trace-20261123.jsonl"],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_directory, "trace-20261122.jsonl")).Length);

        var all = await ReadAsync(log, DateTimeOffset.MinValue);
        Assert.Equal(events.Select(e => e.Event), all.Select(e => e.Event));
        Assert.Equal(events[1].Detail, all[1].Detail);
        Assert.Equal(events[2].To, all[2].To);
        Assert.Equal(events[3].Timestamp, all[3].Timestamp);

        var since = await ReadAsync(log, day1.AddMinutes(20));
        Assert.Equal(["attempt", "delivered", "deleted"], since.Select(e => e.Event));

        var lastDay = await ReadAsync(log, new DateTimeOffset(2026, 11, 23, 0, 30, 0, TimeSpan.Zero));
        Assert.Equal(["deleted"], lastDay.Select(e => e.Event));
    }

    [Fact]
    public async Task The_line_format_is_compact_snake_case_json()
    {
        using var log = new FileTraceLog(_directory);
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        await log.WriteAsync(new TraceEvent(at, "held", "0000000000000003", "a@x.test", ["b@y.test"], null, null, null), CancellationToken.None);

        var line = Assert.Single(File.ReadAllLines(log.PathFor(at)));

        Assert.StartsWith("{\"ts\":\"2026-11-23T10:00:00+00:00\",\"event\":\"held\",\"queue_id\":\"0000000000000003\",\"from\":\"a@x.test\",\"to\":[\"b@y.test\"]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_of_the_gateways_own_is_written_as_local_reply_and_a_line_without_it_reads_as_remote()
    {
        using var log = new FileTraceLog(_directory);
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        await log.WriteAsync(new TraceEvent(at, "deferred", "0000000000000006", "a@x.test", ["b@y.test"], "mx.y.test", "451 4.7.4 TLS required by policy", null, LocalReply: true), CancellationToken.None);
        await log.WriteAsync(new TraceEvent(at, "deferred", "0000000000000007", "a@x.test", ["b@y.test"], "mx.y.test", "451 4.2.0 busy", null), CancellationToken.None);

        // A line as written before the flag existed.
        File.AppendAllText(log.PathFor(at), "{\"ts\":\"2026-11-23T10:00:00+00:00\",\"event\":\"deferred\",\"queue_id\":\"0000000000000008\",\"from\":null,\"to\":[\"b@y.test\"],\"remote\":\"mx.y.test\",\"reply\":\"451 4.2.0 busy\",\"detail\":null}\n");

        var lines = File.ReadAllLines(log.PathFor(at));
        Assert.EndsWith(",\"local_reply\":true}", lines[0], StringComparison.Ordinal);

        // Only the gateway's own reasons carry the field; every other line stays as it was.
        Assert.DoesNotContain("local_reply", lines[1], StringComparison.Ordinal);
        var read = await ReadAsync(log, DateTimeOffset.MinValue);
        Assert.Equal([true, false, false], read.Select(e => e.LocalReply));
    }

    [Fact]
    public async Task The_message_id_is_written_as_message_id_only_where_there_is_one()
    {
        using var log = new FileTraceLog(_directory);
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        await log.WriteAsync(new TraceEvent(at, "received", "0000000000000009", "a@x.test", ["b@y.test"], "192.0.2.1", null, null, MessageId: "<m.1@x.test>"), CancellationToken.None);
        await log.WriteAsync(new TraceEvent(at, "delivered", "0000000000000009", "a@x.test", ["b@y.test"], "mx.y.test", "250 ok", null), CancellationToken.None);

        var lines = File.ReadAllLines(log.PathFor(at));
        Assert.Contains(",\"message_id\":\"", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("message_id", lines[1], StringComparison.Ordinal);
        var read = await ReadAsync(log, DateTimeOffset.MinValue);
        Assert.Equal(["<m.1@x.test>", null], read.Select(e => e.MessageId));
    }

    [Fact]
    public async Task Torn_or_foreign_lines_are_skipped_and_a_single_to_is_accepted()
    {
        using var log = new FileTraceLog(_directory);
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        await log.WriteAsync(new TraceEvent(at, "received", "0000000000000004", null, ["b@y.test"], null, null, null), CancellationToken.None);
        File.AppendAllText(log.PathFor(at), "garbage\n\n{\"ts\":\"2026-11-23T10:01:00+00:00\",\"event\":\"notice\",\"queue_id\":\"0000000000000005\",\"to\":\"a@x.test\"}\n{\"ts\":\"2026-11-23T10:02");

        var read = await ReadAsync(log, DateTimeOffset.MinValue);

        Assert.Equal(["received", "notice"], read.Select(e => e.Event));
        Assert.Equal(["a@x.test"], read[1].To);
    }

    [Fact]
    public async Task Concurrent_writers_never_tear_lines()
    {
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

        // Two instances stand for two processes (gateway and CLI) appending to the same file.
        using var first = new FileTraceLog(_directory);
        using var second = new FileTraceLog(_directory);
        var detail = new string('d', 3000);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? first : second).WriteAsync(new TraceEvent(at, "attempt", i.ToString("D16", System.Globalization.CultureInfo.InvariantCulture), null, [], null, null, detail), CancellationToken.None))));

        var read = await ReadAsync(first, DateTimeOffset.MinValue);

        Assert.Equal(200, read.Count);
        Assert.Equal(200, read.Select(e => e.QueueId).Distinct().Count());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static async Task<List<TraceEvent>> ReadAsync(FileTraceLog log, DateTimeOffset since)
    {
        var list = new List<TraceEvent>();
        await foreach (var e in log.ReadAsync(since, CancellationToken.None))
        {
            list.Add(e);
        }

        return list;
    }
}
