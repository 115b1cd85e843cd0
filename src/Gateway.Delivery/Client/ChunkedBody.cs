using System.Buffers;
using Gateway.Smtp.Protocol;

namespace Gateway.Delivery.Client;

/// <summary>
/// Sends the message as BDAT chunks (RFC 3030 2): each chunk announces its exact size, so nothing is stuffed
/// and the octets go out exactly as stored (plus the final CRLF a message without one gets, see
/// <see cref="MessageFacts.PayloadLength"/>). Read from the spool in bounded blocks.
/// </summary>
internal sealed class ChunkedBody
{
    private const int BlockSize = 64 * 1024;

    private readonly Stream _message;
    private readonly MessageFacts _facts;
    private readonly int _chunkSize;
    private long _sent;

    public ChunkedBody(Stream message, MessageFacts facts, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _message = message;
        _facts = facts;
        _chunkSize = chunkSize;
    }

    /// <summary>True once the chunk with LAST has been written.</summary>
    public bool Finished { get; private set; }

    /// <summary>Writes the next chunk: its BDAT command after anything queued, then its octets.</summary>
    public async ValueTask SendNextAsync(SmtpConnection connection, CancellationToken ct)
    {
        var total = _facts.PayloadLength;
        var size = Math.Min(_chunkSize, total - _sent);
        var last = _sent + size == total;
        connection.Enqueue(ClientCommands.Bdat(size, last));
        if (size == 0)
        {
            await connection.FlushAsync("BDAT", ct).ConfigureAwait(false);
            Finished = true;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(size, BlockSize));
        try
        {
            var remaining = size;
            while (remaining > 0)
            {
                var want = (int)Math.Min(Math.Min(buffer.Length, BlockSize), remaining);
                var stored = (int)Math.Clamp(_facts.Length - _sent, 0, want);

                // ReadExactly fails with EndOfStreamException if the spool file is shorter than measured: a spool
                // fault, never to be mistaken for the network's.
                await _message.ReadExactlyAsync(buffer.AsMemory(0, stored), ct).ConfigureAwait(false);
                for (var i = stored; i < want; i++)
                {
                    buffer[i] = (byte)"\r\n"[(int)(_sent + i - _facts.Length)];
                }

                await connection.WriteAsync(buffer.AsMemory(0, want), "BDAT", ct).ConfigureAwait(false);
                _sent += want;
                remaining -= want;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Finished = last;
    }
}
