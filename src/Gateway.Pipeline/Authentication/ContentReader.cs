using Gateway.Abstractions;

namespace Gateway.Pipeline.Authentication;

/// <summary>Reads what the checks need from a stored message: its header section, or all of it.</summary>
internal static class ContentReader
{
    /// <summary>
    /// The header section including the empty line that ends it (RFC 5322 2.1), at most <paramref name="limit"/>
    /// bytes; a longer one is cut there (the rest counts as body for the checks, as the spool does).
    /// </summary>
    public static async Task<byte[]> ReadHeaderSectionAsync(IInspectableMessageWriter writer, int limit, CancellationToken ct)
    {
        await using var stream = await writer.OpenContentAsync(ct).ConfigureAwait(false);
        var buffer = new byte[Math.Min(limit, (int)Math.Min(stream.Length, limit))];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            var scanFrom = Math.Max(0, filled - 3);
            filled += read;
            var end = EndOfHeaderSection(buffer.AsSpan(0, filled), scanFrom);
            if (end >= 0)
            {
                return buffer[..end];
            }
        }

        return buffer[..filled];
    }

    /// <summary>The whole content when it is at most <paramref name="limit"/> bytes; null otherwise.</summary>
    public static async Task<byte[]?> TryReadAllAsync(IInspectableMessageWriter writer, int limit, CancellationToken ct)
    {
        await using var stream = await writer.OpenContentAsync(ct).ConfigureAwait(false);
        if (stream.Length > limit)
        {
            return null;
        }

        if (stream is MemoryStream memory && memory.TryGetBuffer(out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            // A copy of its own already (the spool hands out small messages that way): no need for another.
            return segment.Array;
        }

        var buffer = new byte[stream.Length];
        await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return buffer;
    }

    /// <summary>The header section of a message in memory, as <see cref="ReadHeaderSectionAsync"/> finds it.</summary>
    public static byte[] HeaderSectionOf(byte[] message, int limit)
    {
        var bounded = message.AsSpan(0, Math.Min(limit, message.Length));
        var end = EndOfHeaderSection(bounded, 0);
        return (end < 0 ? bounded : bounded[..end]).ToArray();
    }

    public static async Task<byte[]> ReadAllAsync(IInspectableMessageWriter writer, CancellationToken ct)
    {
        await using var stream = await writer.OpenContentAsync(ct).ConfigureAwait(false);
        var buffer = new byte[stream.Length];
        await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return buffer;
    }

    private static int EndOfHeaderSection(ReadOnlySpan<byte> data, int from)
    {
        // A message may also start with the empty line (no header fields at all).
        if (data.StartsWith("\r\n"u8))
        {
            return 2;
        }

        var at = data[from..].IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : from + at + 4;
    }
}
