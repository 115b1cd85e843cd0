using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// The message file: <c>GWQ1 &lt;json-length&gt;\n</c>, the envelope JSON, <c>\n</c>, the raw message, then the
/// end record <c>\nGWQEND &lt;sha256-hex of every byte before it&gt;\n</c>. As in Postfix's queue files, a file
/// without its end record never got a 250 and is discarded at recovery.
/// When the message checks amended the header, the message is followed by the amendment trailer: the replacement
/// header bytes, then <c>\nGWQHDR &lt;16 hex: replacement length&gt; &lt;16 hex: replaced length&gt;\n</c> just before
/// the end record. A message always ends in CRLF, so a file without a trailer can never be read as having one.
/// Delivery flags learnt from the message (RFC 8689 4 TLS-Required: No) follow as the last record before the end
/// record, when any is set: <c>\nGWQFLG &lt;16 hex: flag bits&gt;\n</c>. Files without it have no flags.
/// </summary>
internal static class SpoolFormat
{
    /// <summary>"\nGWQEND " + 64 hex digits + "\n".</summary>
    public const int EndRecordLength = 8 + 64 + 1;

    // Bounds the envelope a corrupt or hostile file can make us allocate; a real one is far smaller
    // (recipients are limited by the SMTP session).
    public const int MaxEnvelopeLength = 16 * 1024 * 1024;

    /// <summary>"\nGWQHDR " + 16 hex + " " + 16 hex + "\n".</summary>
    public const int TrailerTagLength = 8 + 16 + 1 + 16 + 1;

    /// <summary>"\nGWQFLG " + 16 hex + "\n".</summary>
    public const int FlagsTagLength = 8 + 16 + 1;

    /// <summary>Flag bit: the message says TLS-Required: No (RFC 8689 4).</summary>
    public const long TlsRequiredNoFlag = 1;

    // Bounds what a corrupt file can make us allocate for an amended header section.
    public const int MaxReplacementLength = 16 * 1024 * 1024;

    private const int MaxPrefixLength = 5 + 8 + 1;

    private static ReadOnlySpan<byte> Magic => "GWQ1 "u8;

    private static ReadOnlySpan<byte> EndMarker => "\nGWQEND "u8;

    private static ReadOnlySpan<byte> TrailerMarker => "\nGWQHDR "u8;

    private static ReadOnlySpan<byte> FlagsMarker => "\nGWQFLG "u8;

    /// <summary>The flags record.</summary>
    public static byte[] BuildFlags(long flags) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\nGWQFLG {flags:x16}\n"));

    /// <summary>The amendment trailer: the replacement bytes followed by the tag that locates them.</summary>
    public static byte[] BuildTrailer(ReadOnlySpan<byte> replacement, long replacedLength)
    {
        var tag = string.Create(CultureInfo.InvariantCulture, $"\nGWQHDR {replacement.Length:x16} {replacedLength:x16}\n");
        var trailer = new byte[replacement.Length + TrailerTagLength];
        replacement.CopyTo(trailer);
        Encoding.ASCII.GetBytes(tag, trailer.AsSpan(replacement.Length));
        return trailer;
    }

    public static byte[] BuildPrefix(QueuedEnvelope envelope)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, QueueJsonContext.Default.QueuedEnvelope);
        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"GWQ1 {json.Length}\n"));
        var prefix = new byte[line.Length + json.Length + 1];
        line.CopyTo(prefix, 0);
        json.CopyTo(prefix, line.Length);
        prefix[^1] = (byte)'\n';
        return prefix;
    }

    public static byte[] BuildEndRecord(ReadOnlySpan<byte> sha256)
    {
        var record = new byte[EndRecordLength];
        EndMarker.CopyTo(record);
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(sha256), record.AsSpan(EndMarker.Length));
        record[^1] = (byte)'\n';
        return record;
    }

    /// <summary>Parses the header line and envelope without checking the end record (files in messages/ are complete).</summary>
    public static SpoolRecord ReadRecord(SafeFileHandle file) => ReadRecord(file, 0, RandomAccess.GetLength(file));

    /// <summary>
    /// The same for a spool image of <paramref name="length"/> bytes at <paramref name="start"/> of a larger file (a
    /// segment); the record's offsets are relative to the image.
    /// </summary>
    public static SpoolRecord ReadRecord(SafeFileHandle file, long start, long length)
    {
        Span<byte> head = stackalloc byte[MaxPrefixLength];
        head = head[..RandomAccess.Read(file, head[..(int)Math.Min(MaxPrefixLength, length)], start)];
        if (!head.StartsWith(Magic))
        {
            throw new InvalidDataException("not a spool file (bad magic)");
        }

        var newLine = head.IndexOf((byte)'\n');
        if (newLine < 0
            || !int.TryParse(head[Magic.Length..newLine], NumberStyles.None, CultureInfo.InvariantCulture, out var jsonLength)
            || jsonLength is 0 or > MaxEnvelopeLength)
        {
            throw new InvalidDataException("bad header line");
        }

        var jsonOffset = newLine + 1;
        var messageOffset = jsonOffset + (long)jsonLength + 1;
        var messageLength = length - EndRecordLength - messageOffset;
        if (messageLength < 0)
        {
            throw new InvalidDataException("file shorter than its header says");
        }

        var json = new byte[jsonLength + 1];
        ReadExactly(file, json, start + jsonOffset);
        if (json[^1] != (byte)'\n')
        {
            throw new InvalidDataException("envelope not followed by a line feed");
        }

        QueuedEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(json.AsSpan(0, jsonLength), QueueJsonContext.Default.QueuedEnvelope);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("envelope is not valid JSON: " + ex.Message, ex);
        }

        if (envelope is null || !QueueId.IsValid(envelope.QueueId) || envelope.Recipients is null)
        {
            throw new InvalidDataException("envelope lacks a valid id or recipients");
        }

        var (flags, flagged) = ReadFlags(file, start + messageOffset, messageLength);
        if ((flags & TlsRequiredNoFlag) != 0)
        {
            envelope = envelope with { TlsRequiredNo = true };
        }

        return ReadTrailer(file, start, new SpoolRecord(envelope, messageOffset, flagged));
    }

    /// <summary>The flags record at the end of the stored bytes, if there is one, and the length before it.</summary>
    private static (long Flags, long Length) ReadFlags(SafeFileHandle file, long messageOffset, long messageLength)
    {
        if (messageLength < FlagsTagLength)
        {
            return (0, messageLength);
        }

        Span<byte> tag = stackalloc byte[FlagsTagLength];
        ReadExactly(file, tag, messageOffset + messageLength - FlagsTagLength);

        // As with the amendment trailer: a message ends in CRLF, a trailer tag in a hex digit and LF, so only a
        // record we wrote matches.
        if (!tag.StartsWith(FlagsMarker) || tag[^1] != (byte)'\n' || !IsHex(tag.Slice(FlagsMarker.Length, 16)))
        {
            return (0, messageLength);
        }

        if (!long.TryParse(tag.Slice(FlagsMarker.Length, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags))
        {
            throw new InvalidDataException("malformed flags record");
        }

        return (flags, messageLength - FlagsTagLength);
    }

    /// <summary>Checks the whole file: header, envelope, end record and the SHA-256 over everything before it.</summary>
    public static SpoolRecord Verify(SafeFileHandle file)
    {
        var record = ReadRecord(file);
        var length = RandomAccess.GetLength(file);
        var end = new byte[EndRecordLength];
        ReadExactly(file, end, length - EndRecordLength);
        if (!end.AsSpan().StartsWith(EndMarker) || end[^1] != (byte)'\n')
        {
            throw new InvalidDataException("no end record");
        }

        var hex = end.AsSpan(EndMarker.Length, 64);
        foreach (var c in hex)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                throw new InvalidDataException("malformed end record");
            }
        }

        var expected = Convert.FromHexString(Encoding.ASCII.GetString(hex));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long position = 0;
        var covered = length - EndRecordLength;
        while (position < covered)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, covered - position)), position);
            if (read == 0)
            {
                throw new InvalidDataException("file changed while being verified");
            }

            hash.AppendData(buffer, 0, read);
            position += read;
        }

        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(expected))
        {
            throw new InvalidDataException("checksum mismatch");
        }

        return record;
    }

    private static SpoolRecord ReadTrailer(SafeFileHandle file, long start, SpoolRecord record)
    {
        if (record.MessageLength < TrailerTagLength)
        {
            return record;
        }

        Span<byte> tag = stackalloc byte[TrailerTagLength];
        var tagOffset = record.MessageOffset + record.MessageLength - TrailerTagLength;
        ReadExactly(file, tag, start + tagOffset);
        // Only the exact tag counts: a message always ends in CRLF, so a body whose last line merely looks like
        // one ends in "\r\n", never in a hex digit followed by "\n".
        if (!tag.StartsWith(TrailerMarker) || tag[^1] != (byte)'\n' || tag[TrailerMarker.Length + 16] != (byte)' '
            || !IsHex(tag.Slice(TrailerMarker.Length, 16)) || !IsHex(tag.Slice(TrailerMarker.Length + 17, 16)))
        {
            return record;
        }

        if (!long.TryParse(tag.Slice(TrailerMarker.Length, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var replacementLength)
            || !long.TryParse(tag.Slice(TrailerMarker.Length + 17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var replacedLength)
            || replacementLength is < 0 or > MaxReplacementLength
            || replacedLength < 0
            || replacementLength + replacedLength > tagOffset - record.MessageOffset)
        {
            throw new InvalidDataException("malformed amendment trailer");
        }

        var storedLength = record.MessageLength - TrailerTagLength - replacementLength;
        var replacement = new byte[replacementLength];
        ReadExactly(file, replacement, start + record.MessageOffset + storedLength);
        return record with { MessageLength = storedLength, Replacement = replacement, ReplacedLength = replacedLength };
    }

    private static bool IsHex(ReadOnlySpan<byte> digits)
    {
        foreach (var c in digits)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = RandomAccess.Read(file, buffer[done..], offset + done);
            if (read == 0)
            {
                throw new InvalidDataException("unexpected end of file");
            }

            done += read;
        }
    }
}
