using System.Buffers;
using Gateway.Smtp.Protocol;

namespace Gateway.Delivery.Client;

/// <summary>
/// Sends the message after a 354 to DATA (RFC 5321 4.1.1.4): read from the spool in bounded blocks,
/// dot-stuffed (RFC 5321 4.5.2), then the end of data. Never more than a few blocks in memory.
/// </summary>
internal static class DataBody
{
    private const int BlockSize = 64 * 1024;

    public static async ValueTask SendAsync(SmtpConnection connection, Stream message, CancellationToken ct)
    {
        var stuffer = new DotStuffer();
        var input = ArrayPool<byte>.Shared.Rent(BlockSize);

        // Room for a block stuffed after up to one block still unsent, plus the end of data: a small message
        // and its end leave in one write.
        var output = ArrayPool<byte>.Shared.Rent(BlockSize + DotStuffer.MaxOutputLength(BlockSize) + 8);
        try
        {
            var pending = 0;
            int read;
            while ((read = await message.ReadAsync(input.AsMemory(0, BlockSize), ct).ConfigureAwait(false)) > 0)
            {
                pending += stuffer.Stuff(input.AsSpan(0, read), output.AsSpan(pending));
                if (pending >= BlockSize)
                {
                    await connection.WriteAsync(output.AsMemory(0, pending), "the message", ct).ConfigureAwait(false);
                    pending = 0;
                }
            }

            stuffer.EndOfData.CopyTo(output.AsSpan(pending));
            pending += stuffer.EndOfData.Length;
            await connection.WriteAsync(output.AsMemory(0, pending), "the end of data", ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
