using System.Text;
using Gateway.Smime.Audit;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Smime.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly TempDirectory _directory = new("gw-audit");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_untouched_log_verifies_and_reports_its_head()
    {
        using var log = new AuditLog(_directory.File("audit.log"), _time);
        string last = "";
        for (var i = 1; i <= 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            last = await log.AppendAsync(new AuditRecord("officer-a", AuditActions.KeyGenerate, $"user{i}@example.org", new Dictionary<string, string> { ["n"] = $"{i}" }), default);
        }

        var result = await log.VerifyAsync(default);
        Assert.Equal(new AuditVerification(true, 5, last, null, null), result);
        var lines = File.ReadAllLines(log.Path);
        Assert.StartsWith("{\"seq\":1,\"time\":\"2026-12-06T03:01:00.0000000Z\",\"actor\":\"officer-a\",\"action\":\"key.generate\",\"subject\":\"user1@example.org\",\"details\":{\"n\":\"1\"},\"prev\":\"" + AuditLog.GenesisHash + "\",\"hash\":\"", lines[0]);
    }

    [Fact]
    public async Task A_new_instance_continues_the_chain_of_the_file()
    {
        var path = _directory.File("audit.log");
        using (var first = new AuditLog(path, _time))
        {
            await Append(first, 3);
        }

        using var second = new AuditLog(path, _time);
        await Append(second, 2);
        Assert.True((await second.VerifyAsync(default)).IsIntact);
        Assert.Equal(5, (await second.VerifyAsync(default)).EntryCount);
    }

    [Fact]
    public async Task Concurrent_appends_keep_one_chain()
    {
        using var log = new AuditLog(_directory.File("audit.log"), _time);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => log.AppendAsync(new AuditRecord("a", "x", $"s{i}"), default)));
        var result = await log.VerifyAsync(default);
        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(40, result.EntryCount);
    }

    [Fact]
    public async Task An_edited_line_is_named()
    {
        var log = await LogWith(5);
        var lines = File.ReadAllLines(log.Path);
        lines[2] = lines[2].Replace("user3@example.org", "user9@example.org", StringComparison.Ordinal);
        WriteLines(log.Path, lines);

        var result = await log.VerifyAsync(default);
        Assert.False(result.IsIntact);
        Assert.Equal(3, result.FirstBrokenLine);
        Assert.Equal("line 3: its content does not match its hash (the entry was edited)", result.Problem);
    }

    [Fact]
    public async Task An_edit_that_recomputes_its_own_hash_breaks_the_next_line()
    {
        var log = await LogWith(4);
        var lines = File.ReadAllLines(log.Path);
        lines[1] = Rehash(lines[1].Replace("user2@", "userX@", StringComparison.Ordinal));
        WriteLines(log.Path, lines);

        var result = await log.VerifyAsync(default);
        Assert.Equal(3, result.FirstBrokenLine);
        Assert.Equal("line 3: it does not follow line 2 (a line was deleted, moved or inserted)", result.Problem);
    }

    [Fact]
    public async Task A_deleted_line_is_named_at_its_successor()
    {
        var log = await LogWith(5);
        var lines = File.ReadAllLines(log.Path).ToList();
        lines.RemoveAt(1);
        WriteLines(log.Path, [.. lines]);

        var result = await log.VerifyAsync(default);
        Assert.Equal(2, result.FirstBrokenLine);
        Assert.Equal(1, result.EntryCount);
        Assert.Contains("does not follow line 1", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_first_line_is_named()
    {
        var log = await LogWith(3);
        WriteLines(log.Path, [.. File.ReadAllLines(log.Path).Skip(1)]);

        var result = await log.VerifyAsync(default);
        Assert.Equal(1, result.FirstBrokenLine);
        Assert.Equal("line 1: the first entry does not start the chain (entries before it were removed)", result.Problem);
    }

    [Fact]
    public async Task Reordered_lines_are_named()
    {
        var log = await LogWith(5);
        var lines = File.ReadAllLines(log.Path);
        (lines[3], lines[2]) = (lines[2], lines[3]);
        WriteLines(log.Path, lines);

        var result = await log.VerifyAsync(default);
        Assert.Equal(3, result.FirstBrokenLine);
    }

    [Fact]
    public async Task A_line_appended_out_of_chain_is_named()
    {
        var log = await LogWith(3);
        // A well-formed entry with a self-consistent hash, chained to the genesis instead of line 3.
        var forged = Rehash(File.ReadAllLines(log.Path)[0].Replace("\"seq\":1", "\"seq\":4", StringComparison.Ordinal));
        File.AppendAllText(log.Path, forged + "\n");

        var result = await log.VerifyAsync(default);
        Assert.Equal(4, result.FirstBrokenLine);
        Assert.Contains("does not follow line 3", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicated_line_is_named()
    {
        var log = await LogWith(3);
        File.AppendAllText(log.Path, File.ReadAllLines(log.Path)[2] + "\n");

        var result = await log.VerifyAsync(default);
        Assert.Equal(4, result.FirstBrokenLine);
    }

    [Fact]
    public async Task A_torn_last_line_is_reported_and_appending_refuses_to_fork_the_chain()
    {
        var log = await LogWith(2);
        var bytes = File.ReadAllBytes(log.Path);
        File.WriteAllBytes(log.Path, bytes[..^20]);

        var result = await log.VerifyAsync(default);
        Assert.Equal(2, result.FirstBrokenLine);
        Assert.Equal("line 2: the last line is incomplete (no line end)", result.Problem);
        await Assert.ThrowsAsync<AuditLogException>(() => log.AppendAsync(new AuditRecord("a", "b", "c"), default));
    }

    [Fact]
    public async Task Oversized_details_are_refused()
    {
        using var log = new AuditLog(_directory.File("audit.log"), _time);
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditRecord("a", "b", new string('x', 2000)), default));
        Assert.False(File.Exists(log.Path));
    }

    private async Task<AuditLog> LogWith(int entries)
    {
        var log = new AuditLog(_directory.File("audit.log"), _time);
        await Append(log, entries);
        return log;
    }

    private static async Task Append(AuditLog log, int entries)
    {
        var start = (await log.VerifyAsync(default)).EntryCount;
        for (var i = start + 1; i <= start + entries; i++)
        {
            await log.AppendAsync(new AuditRecord("officer", AuditActions.KeyImport, $"user{i}@example.org"), default);
        }
    }

    /// <summary>What a forger would do: fix the line's own hash after editing it.</summary>
    private static string Rehash(string line)
    {
        var body = line[..line.LastIndexOf(",\"hash\":", StringComparison.Ordinal)] + "}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        return body[..^1] + ",\"hash\":\"" + hash + "\"}";
    }

    private static void WriteLines(string path, string[] lines) => File.WriteAllText(path, string.Join('\n', lines) + "\n");
}
