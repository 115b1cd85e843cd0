using System.Buffers;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Splits what an SMTP server sends into replies (RFC 5321 4.2): "ddd-text" lines continue a reply, a
/// "ddd text" (or bare "ddd") line ends it. The client side's counterpart of <see cref="CommandLineReader"/>,
/// and bounded the same way: of each line at most <c>maxLineLength</c> octets are kept and of each reply at
/// most <c>maxLines</c> lines; whatever lies beyond is read and dropped, so a hostile server can neither grow
/// our memory nor knock the dialogue out of step. Stateful across calls, like the pipe it reads.
/// </summary>
public sealed class ServerReplyReader
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly int _maxLineLength;
    private readonly int _maxLines;
    private readonly List<string> _lines = [];
    private int _code;
    private bool _discarding;
    private bool _discardedLineWasLast;

    /// <param name="maxLineLength">Octets kept of each line, CRLF included (RFC 5321 4.5.3.1.5: 512).</param>
    /// <param name="maxLines">Lines kept of one reply.</param>
    public ServerReplyReader(int maxLineLength = SmtpDefaults.ReplyLineLength, int maxLines = SmtpDefaults.ReplyLines)
    {
        // A line needs room for its code and its separator.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 6);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        _maxLineLength = maxLineLength;
        _maxLines = maxLines;
    }

    /// <summary>
    /// Reads one reply. On <see cref="ServerReplyStatus.Incomplete"/> the buffer starts at the first octet not
    /// yet taken (the caller advances its pipe to buffer.Start, examined to buffer.End). On Complete,
    /// <paramref name="reply"/> holds the code of the last line (RFC 5321 4.2.1 asks every line to carry the
    /// same one), the RFC 3463 code when the first line starts with one of the reply's class (RFC 2034 4), and
    /// each line's text without it. After Malformed the connection cannot be trusted any further.
    /// </summary>
    public ServerReplyStatus TryRead(ref ReadOnlySequence<byte> buffer, out SmtpReply? reply)
    {
        reply = null;
        while (true)
        {
            bool last;
            if (_discarding)
            {
                // The rest of an overlong line whose start was already taken.
                var end = buffer.PositionOf(Lf);
                if (end is null)
                {
                    buffer = buffer.Slice(buffer.End);
                    return ServerReplyStatus.Incomplete;
                }

                buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
                _discarding = false;
                last = _discardedLineWasLast;
            }
            else
            {
                var lf = buffer.PositionOf(Lf);
                ReadOnlySequence<byte> line;
                if (lf is null)
                {
                    if (buffer.Length < _maxLineLength)
                    {
                        return ServerReplyStatus.Incomplete;
                    }

                    // Over the limit without an end: keep the start, drop the rest up to the next LF.
                    line = buffer.Slice(0, _maxLineLength - 2);
                    buffer = buffer.Slice(buffer.End);
                    _discarding = true;
                }
                else
                {
                    line = buffer.Slice(buffer.Start, lf.Value);
                    buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));

                    // CRLF ends a line; a bare LF is taken as one too (a client is liberal in what it accepts).
                    if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == Cr)
                    {
                        line = line.Slice(0, line.Length - 1);
                    }

                    if (line.Length > _maxLineLength - 2)
                    {
                        line = line.Slice(0, _maxLineLength - 2);
                    }
                }

                if (!TryAddLine(line, out last))
                {
                    Reset();
                    return ServerReplyStatus.Malformed;
                }

                if (_discarding)
                {
                    _discardedLineWasLast = last;
                    continue;
                }
            }

            if (last)
            {
                reply = Build();
                Reset();
                return ServerReplyStatus.Complete;
            }
        }
    }

    /// <summary>The RFC 3463 code at the start of <paramref name="text"/> whose class is that of the reply code.</summary>
    private static string? EnhancedCodeOf(int code, string text) =>
        EnhancedStatusCode.TryParseLeading(text, out var status) && status.Class == code / 100 ? status.ToString() : null;

    private bool TryAddLine(ReadOnlySequence<byte> line, out bool last)
    {
        last = false;
        Span<byte> head = stackalloc byte[4];
        var headLength = (int)Math.Min(4, line.Length);
        line.Slice(0, headLength).CopyTo(head);
        if (headLength < 3
            || head[0] is < (byte)'2' or > (byte)'5'
            || !char.IsAsciiDigit((char)head[1])
            || !char.IsAsciiDigit((char)head[2]))
        {
            return false;
        }

        if (headLength == 4 && head[3] is not ((byte)' ' or (byte)'-'))
        {
            return false;
        }

        _code = ((head[0] - '0') * 100) + ((head[1] - '0') * 10) + (head[2] - '0');
        last = headLength == 3 || head[3] == (byte)' ';
        if (_lines.Count < _maxLines)
        {
            _lines.Add(Printable(line.Slice(headLength)));
        }

        return true;
    }

    private SmtpReply Build()
    {
        // RFC 2034 4: the enhanced code starts the text of every line; it counts only in the class of the reply.
        var enhanced = EnhancedCodeOf(_code, _lines[0]);
        var lines = new string[_lines.Count];
        for (var i = 0; i < lines.Length; i++)
        {
            var text = _lines[i];
            if (enhanced is not null && text.StartsWith(enhanced, StringComparison.Ordinal)
                && (text.Length == enhanced.Length || text[enhanced.Length] == ' '))
            {
                text = text.Length == enhanced.Length ? string.Empty : text[(enhanced.Length + 1)..];
            }

            lines[i] = text;
        }

        return new SmtpReply(_code, enhanced, lines);
    }

    private void Reset()
    {
        _lines.Clear();
        _code = 0;
        _discarding = false;
        _discardedLineWasLast = false;
    }

    /// <summary>
    /// Reply text goes into logs, traces and delivery notices: UTF-8 is kept (RFC 6531 3.7.4.2 allows it in
    /// replies), invalid sequences become U+FFFD and control characters '?', so no text can forge a log line.
    /// </summary>
    private static string Printable(ReadOnlySequence<byte> text)
    {
        var decoded = Encoding.UTF8.GetString(text);
        if (!decoded.Any(char.IsControl))
        {
            return decoded;
        }

        return string.Create(decoded.Length, decoded, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
