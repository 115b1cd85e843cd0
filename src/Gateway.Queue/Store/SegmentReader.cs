using System.Text;

namespace Gateway.Queue;

/// <summary>
/// Reads a segment file as recovery and the queue CLI see it: the records whose header is intact and whose image is
/// wholly there, less those with a done mark. A record's image is checked later, as a message file (end record and
/// SHA-256); here only the framing is. Bytes that frame nothing are skipped by searching for the next record header:
/// at the end of the file that is a write a crash cut short (never acknowledged), elsewhere damage, which is reported,
/// and whatever is found after it is marked as such.
/// </summary>
internal static class SegmentReader
{
    /// <summary>
    /// Far above any segment we write (16 MiB, then one more batch of at most 4 MiB): a larger file is not one of ours
    /// and is not read into memory; the caller logs it and leaves it where it is.
    /// </summary>
    public const long MaxSegmentBytes = 256L * 1024 * 1024;

    public static SegmentContents Read(string segmentPath)
    {
        var size = new FileInfo(segmentPath).Length;
        if (size > MaxSegmentBytes)
        {
            throw new IOException($"{size} bytes, more than any spool segment ({MaxSegmentBytes})");
        }

        var bytes = File.ReadAllBytes(segmentPath);
        var done = ReadDone(SegmentSpool.DonePathOf(segmentPath));
        var records = new List<SegmentRecord>();
        var damaged = false;
        var skippedSince = -1;
        var position = 0;
        while (position < bytes.Length)
        {
            var span = bytes.AsSpan(position);
            if (SegmentSpool.TryParseHeader(span, out var id, out var length) && length <= span.Length - SegmentSpool.HeaderLength)
            {
                damaged |= skippedSince >= 0;
                skippedSince = -1;
                if (!done.Contains(id))
                {
                    records.Add(new SegmentRecord(id, position + SegmentSpool.HeaderLength, length, damaged));
                }

                position += SegmentSpool.HeaderLength + length;
                continue;
            }

            if (skippedSince < 0)
            {
                skippedSince = position;
            }

            var next = span[1..].IndexOf("GWS1 "u8);
            position = next < 0 ? bytes.Length : position + 1 + next;
        }

        return new SegmentContents(bytes, records, damaged);
    }

    private static HashSet<string> ReadDone(string path)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return done;
        }

        if (new FileInfo(path).Length > MaxSegmentBytes)
        {
            // Not ours either: read no done marks, so nothing is skipped (a duplicate at worst, never a loss).
            return done;
        }

        foreach (var line in Encoding.ASCII.GetString(File.ReadAllBytes(path)).Split('\n'))
        {
            if (QueueId.IsValid(line))
            {
                done.Add(line);
            }
        }

        return done;
    }
}

/// <summary>A segment's bytes and its records not yet done.</summary>
/// <param name="Bytes">The whole segment file.</param>
/// <param name="Records">Records with an intact header and image length, less those marked done.</param>
/// <param name="Damaged">Bytes that frame no record lie between records (not merely a cut-short tail).</param>
internal sealed record SegmentContents(byte[] Bytes, IReadOnlyList<SegmentRecord> Records, bool Damaged)
{
    public ReadOnlyMemory<byte> Image(SegmentRecord record) => Bytes.AsMemory(record.ImageOffset, record.ImageLength);
}

/// <summary>A record in a segment, not yet done.</summary>
/// <param name="QueueId">The id its header names.</param>
/// <param name="ImageOffset">Where its image starts in the segment.</param>
/// <param name="ImageLength">The image's length, from its header.</param>
/// <param name="AfterDamage">
/// Found by searching past damage: it may be a record of ours, or bytes a client sent inside a message that merely look
/// like one (with a checksum of their own making), so it is never delivered without a person's look.
/// </param>
internal sealed record SegmentRecord(string QueueId, int ImageOffset, int ImageLength, bool AfterDamage);
