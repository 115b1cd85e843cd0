using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Spam.External;

/// <summary>What clamd said about one stream.</summary>
public enum ClamdStatus
{
    Clean,
    Infected,

    /// <summary>clamd answered, but with an error (e.g. "INSTREAM size limit exceeded. ERROR").</summary>
    Error,
}

/// <param name="Status">Clean, infected or clamd's error.</param>
/// <param name="Signature">The signature name clamd found; null unless infected.</param>
/// <param name="Reply">clamd's reply as it came, for the log.</param>
public sealed record ClamdResult(ClamdStatus Status, string? Signature, string Reply);

/// <summary>
/// A client of ClamAV's clamd for one scan per connection over TCP or its unix socket: the INSTREAM command
/// (clamd(8): "zINSTREAM\0", then chunks each preceded by its length as 4 octets in network order, then a chunk of
/// length 0) and the reply "stream: OK" or "stream: NAME FOUND", ended by a NUL. Transport failures (refused, reset,
/// cancelled by the caller's timeout) are thrown; what clamd says is returned.
/// </summary>
public sealed class ClamdClient
{
    private const int ChunkSize = 64 * 1024;
    private const int MaxReply = 4096;

    private readonly EndPoint _endPoint;

    /// <summary>A TCP clamd; <paramref name="host"/> is an address literal or a name to resolve.</summary>
    public ClamdClient(string host, int port)
    {
        _endPoint = IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    /// <summary>A clamd on a unix socket (LocalSocket in clamd.conf).</summary>
    public ClamdClient(string socketPath)
    {
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
    }

    public async Task<ClamdResult> ScanAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var socket = _endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_endPoint, cancellationToken).ConfigureAwait(false);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        try
        {
            await network.WriteAsync("zINSTREAM\0"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[4 + ChunkSize];
            while (true)
            {
                var read = await content.ReadAsync(buffer.AsMemory(4, ChunkSize), cancellationToken).ConfigureAwait(false);
                BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                await network.WriteAsync(buffer.AsMemory(0, 4 + read), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // clamd closes the connection when the stream passes its StreamMaxLength, after saying why: read that.
            var early = await ReadReplyAsync(network, cancellationToken).ConfigureAwait(false);
            if (early.Length == 0)
            {
                throw;
            }

            return Parse(early);
        }

        var reply = await ReadReplyAsync(network, cancellationToken).ConfigureAwait(false);
        if (reply.Length == 0)
        {
            throw new IOException("clamd closed the connection without a reply");
        }

        return Parse(reply);
    }

    /// <summary>"stream: OK", "stream: Eicar-Signature FOUND", or anything else (an error).</summary>
    public static ClamdResult Parse(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = reply.StartsWith("stream: ", StringComparison.Ordinal) ? reply[8..] : reply;
        if (text == "OK")
        {
            return new ClamdResult(ClamdStatus.Clean, null, reply);
        }

        if (text.EndsWith(" FOUND", StringComparison.Ordinal) && text.Length > 6 && !text.EndsWith(" ERROR", StringComparison.Ordinal))
        {
            return new ClamdResult(ClamdStatus.Infected, text[..^6], reply);
        }

        return new ClamdResult(ClamdStatus.Error, null, reply);
    }

    /// <summary>Up to the NUL that ends a z-command's reply (or the connection's end), at most 4 KiB.</summary>
    private static async Task<string> ReadReplyAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var reply = new byte[MaxReply];
        var length = 0;
        try
        {
            while (length < reply.Length)
            {
                var read = await network.ReadAsync(reply.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var nul = Array.IndexOf(reply, (byte)0, length, read);
                length += read;
                if (nul >= 0)
                {
                    length = nul;
                    break;
                }
            }
        }
        catch (IOException) when (length > 0)
        {
            // Reset after a partial reply: what arrived is the answer.
        }

        return Encoding.ASCII.GetString(reply, 0, length).Trim();
    }
}
