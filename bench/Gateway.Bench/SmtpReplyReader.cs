using System.Text;

namespace Gateway.Bench;

/// <summary>
/// Reads SMTP replies (RFC 5321 4.2.1, multi-line ones whole) from a stream through its own buffer, every read
/// bounded by a timeout and by the buffer's size.
/// </summary>
internal sealed class SmtpReplyReader
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public SmtpReplyReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>
    /// True when bytes after the last reply are buffered. After "220 Ready to start TLS" there must be none
    /// (RFC 3207 4: the handshake starts right after that reply).
    /// </summary>
    public bool HasBuffered => _start < _end;

    /// <summary>Reads a whole reply and returns its last line.</summary>
    public async Task<string> ReadReplyAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(ReplyTimeout);
        while (true)
        {
            var line = await ReadLineAsync(cts.Token).ConfigureAwait(false);
            if (line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidOperationException("reply line too long");
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("connection closed by the server");
            }

            _end += read;
        }
    }
}
