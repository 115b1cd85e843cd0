using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Smime.Audit;

/// <summary>
/// Append-only, hash-chained JSON lines. Each line is
/// <c>{"seq":n,"time":…,"actor":…,"action":…,"subject":…,"details":{…},"prev":…,"hash":…}</c> where
/// hash = SHA-256 over the exact bytes of the line without its <c>,"hash":"…"</c> member, and prev is the
/// previous line's hash (64 zeros for the first). Editing a line breaks its own hash; deleting, reordering
/// or inserting lines breaks the next line's prev. Every append is fsync'd before it returns, and the tail
/// is re-read under an exclusive lock each time, so two processes (gateway and CLI) never fork the chain.
/// </summary>
public sealed class AuditLog : IDisposable
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // Bounds what one entry can hold, so the tail read below always finds a whole line.
    private const int MaxDetails = 16;
    private const int MaxFieldLength = 1024;
    private const int TailWindow = 64 * 1024;
    private const string HashMemberPrefix = ",\"hash\":\"";
    private static readonly int HashSuffixLength = HashMemberPrefix.Length + 64 + 2;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public AuditLog(string path, TimeProvider time)
    {
        _path = path;
        _time = time;
    }

    public string Path => _path;

    public void Dispose() => _gate.Dispose();

    /// <summary>Appends one entry and returns its hash once it is on disk.</summary>
    public async Task<string> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        Validate(record);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var created = !File.Exists(_path);
            var options = Vault.AtomicFile.OwnerOnly(FileMode.OpenOrCreate);
            options.Access = FileAccess.ReadWrite;
            using (var stream = new FileStream(_path, options))
            {
                var (sequence, previous) = ReadTail(stream);
                var line = Format(sequence + 1, _time.GetUtcNow(), record, previous, out var hash);
                stream.Seek(0, SeekOrigin.End);
                await stream.WriteAsync(line, cancellationToken);
                stream.Flush(flushToDisk: true);
                if (created)
                {
                    Vault.NativeMethods.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_path))!);
                }

                return hash;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks every line in order and names the first that breaks the chain (1-based line number).</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return new AuditVerification(true, 0, GenesisHash, null, null);
        }

        var content = await File.ReadAllBytesAsync(_path, cancellationToken);
        var previous = GenesisHash;
        var lineNumber = 0;
        var start = 0;
        while (start < content.Length)
        {
            lineNumber++;
            var end = Array.IndexOf(content, (byte)'\n', start);
            if (end < 0)
            {
                return Broken(lineNumber, previous, "the last line is incomplete (no line end)");
            }

            var problem = CheckLine(content.AsSpan(start, end - start), lineNumber, previous, out var hash);
            if (problem is not null)
            {
                return Broken(lineNumber, previous, problem);
            }

            previous = hash!;
            start = end + 1;
        }

        return new AuditVerification(true, lineNumber, previous, null, null);
    }

    private static AuditVerification Broken(int line, string head, string problem) =>
        new(false, line - 1, head, line, string.Create(CultureInfo.InvariantCulture, $"line {line}: {problem}"));

    /// <summary>Null when the line is a valid successor of <paramref name="previous"/>; else what is wrong with it.</summary>
    private static string? CheckLine(ReadOnlySpan<byte> line, int expectedSequence, string previous, out string? hash)
    {
        hash = null;
        if (line.Length <= HashSuffixLength || !line.EndsWith("\"}"u8) || !line[^HashSuffixLength..].StartsWith(Encoding.ASCII.GetBytes(HashMemberPrefix)))
        {
            return "not an audit entry (no hash at its end)";
        }

        var stated = Encoding.ASCII.GetString(line[^(HashSuffixLength - HashMemberPrefix.Length)..^2]);
        var body = Body(line[..^HashSuffixLength]);
        var actual = Convert.ToHexStringLower(SHA256.HashData(body));
        if (!string.Equals(stated, actual, StringComparison.Ordinal))
        {
            return "its content does not match its hash (the entry was edited)";
        }

        hash = actual;
        long sequence;
        string? prev;
        try
        {
            using var document = JsonDocument.Parse(body);
            sequence = document.RootElement.GetProperty("seq").GetInt64();
            prev = document.RootElement.GetProperty("prev").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return "not an audit entry (its JSON lacks seq or prev)";
        }

        if (!string.Equals(prev, previous, StringComparison.Ordinal))
        {
            return expectedSequence == 1
                ? "the first entry does not start the chain (entries before it were removed)"
                : string.Create(CultureInfo.InvariantCulture, $"it does not follow line {expectedSequence - 1} (a line was deleted, moved or inserted)");
        }

        if (sequence != expectedSequence)
        {
            return string.Create(CultureInfo.InvariantCulture, $"sequence {sequence} where {expectedSequence} was expected");
        }

        return null;
    }

    private static byte[] Body(ReadOnlySpan<byte> withoutHashMember)
    {
        var body = new byte[withoutHashMember.Length + 1];
        withoutHashMember.CopyTo(body);
        body[^1] = (byte)'}';
        return body;
    }

    private static (long Sequence, string Hash) ReadTail(FileStream stream)
    {
        if (stream.Length == 0)
        {
            return (0, GenesisHash);
        }

        var window = (int)Math.Min(stream.Length, TailWindow);
        var buffer = new byte[window];
        stream.Seek(-window, SeekOrigin.End);
        stream.ReadExactly(buffer);
        if (buffer[^1] != (byte)'\n')
        {
            throw new AuditLogException($"audit log '{stream.Name}' ends in a partial line; verify it before appending");
        }

        var start = Array.LastIndexOf(buffer, (byte)'\n', buffer.Length - 2) + 1;
        var line = buffer.AsSpan(start, buffer.Length - 1 - start);
        try
        {
            var stated = Encoding.ASCII.GetString(line[^(HashSuffixLength - HashMemberPrefix.Length)..^2]);
            using var document = JsonDocument.Parse(Body(line[..^HashSuffixLength]));
            return (document.RootElement.GetProperty("seq").GetInt64(), stated);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new AuditLogException($"audit log '{stream.Name}' ends in a line that is not an entry; verify it before appending", e);
        }
    }

    private static byte[] Format(long sequence, DateTimeOffset time, AuditRecord record, string previous, out string hash)
    {
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", sequence);
            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("actor", record.Actor);
            writer.WriteString("action", record.Action);
            writer.WriteString("subject", record.Subject);
            writer.WriteStartObject("details");
            foreach (var (key, value) in record.Details ?? new Dictionary<string, string>())
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteString("prev", previous);
            writer.WriteEndObject();
        }

        var bytes = body.ToArray();
        hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var line = new byte[bytes.Length - 1 + HashSuffixLength + 1];
        bytes.AsSpan(0, bytes.Length - 1).CopyTo(line);
        Encoding.ASCII.GetBytes($"{HashMemberPrefix}{hash}\"}}\n").CopyTo(line.AsSpan(bytes.Length - 1));
        return line;
    }

    private static void Validate(AuditRecord record)
    {
        var details = record.Details ?? new Dictionary<string, string>();
        if (details.Count > MaxDetails
            || new[] { record.Actor, record.Action, record.Subject }.Concat(details.Keys).Concat(details.Values).Any(s => s is null || s.Length > MaxFieldLength))
        {
            throw new ArgumentException($"an audit entry holds at most {MaxDetails} details and {MaxFieldLength} characters per field", nameof(record));
        }
    }
}
