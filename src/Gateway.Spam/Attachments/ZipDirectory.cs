using System.Buffers.Binary;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Reads how many members a zip file says it has from its end of central directory record (APPNOTE 4.3.16, and the
/// zip64 record of 4.3.14 when the count does not fit 16 bits), before anything allocates per member: a directory
/// of a million tiny entries is refused as a bomb without being listed.
/// </summary>
internal static class ZipDirectory
{
    private const int EndRecordLength = 22;
    private const int MaxCommentLength = 0xFFFF;

    /// <summary>The member count; null when the stream holds no end of central directory record.</summary>
    public static long? EntryCount(Stream zip)
    {
        var tailLength = (int)Math.Min(zip.Length, EndRecordLength + MaxCommentLength);
        if (tailLength < EndRecordLength)
        {
            return null;
        }

        var tail = new byte[tailLength];
        zip.Position = zip.Length - tailLength;
        zip.ReadExactly(tail);
        for (var at = tailLength - EndRecordLength; at >= 0; at--)
        {
            if (!tail.AsSpan(at).StartsWith("PK\u0005\u0006"u8))
            {
                continue;
            }

            var count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
            var directorySize = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 12));
            var directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 16));
            if (count != 0xFFFF && directorySize != 0xFFFFFFFF && directoryOffset != 0xFFFFFFFF)
            {
                return count;
            }

            // Any field at its maximum sends readers (.NET's among them) to the zip64 record, whose count they then
            // list: the larger of the two counts is the one to judge (0xFFFF itself means "see the zip64 record").

            // Zip64: the locator sits just before the record and points at the zip64 end of central directory.
            var locatorAt = zip.Length - tailLength + at - 20;
            if (locatorAt < 0)
            {
                return null;
            }

            var locator = new byte[20];
            zip.Position = locatorAt;
            zip.ReadExactly(locator);
            if (!locator.AsSpan().StartsWith("PK\u0006\u0007"u8))
            {
                return count;
            }

            var recordAt = BinaryPrimitives.ReadInt64LittleEndian(locator.AsSpan(8));
            if (recordAt < 0 || recordAt > zip.Length - 56)
            {
                return null;
            }

            var record = new byte[56];
            zip.Position = recordAt;
            zip.ReadExactly(record);
            return record.AsSpan().StartsWith("PK\u0006\u0006"u8) ? Math.Max(count == 0xFFFF ? 0 : count, BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32))) : null;
        }

        return null;
    }
}
