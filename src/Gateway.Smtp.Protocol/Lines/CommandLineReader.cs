using System.Buffers;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Splits a connection's byte stream into CRLF-terminated command lines with a hard length cap, so an
/// endless line can never grow the buffer (STYLE habit 1; the counter-example is an uncapped ReadUntil).
/// Stateful: after a <see cref="LineStatus.TooLong"/> report it discards input up to the next LF, across calls.
/// </summary>
public sealed class CommandLineReader
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private int _maxLineLength;
    private bool _discarding;

    /// <param name="maxLineLength">The limit including the CRLF (RFC 5321 4.5.3.1.4: 512).</param>
    public CommandLineReader(int maxLineLength)
    {
        MaxLineLength = maxLineLength;
    }

    /// <summary>The limit including the CRLF. AUTH exchanges raise it temporarily (RFC 4954 4: 12288).</summary>
    public int MaxLineLength
    {
        get => _maxLineLength;
        set
        {
            // A line needs room for at least one octet besides its CRLF.
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 3);
            _maxLineLength = value;
        }
    }

    /// <summary>True while the rest of an overlong line is being thrown away.</summary>
    public bool IsDiscarding => _discarding;

    /// <summary>
    /// Reads one line. Returns false when more input is needed: <paramref name="buffer"/> then starts at the
    /// first unconsumed octet (the caller advances the pipe to buffer.Start, examined to buffer.End). On true,
    /// <paramref name="result"/> is Complete (line without CRLF), BareLineFeed (the text before a lone LF) or
    /// TooLong (reported once, as soon as the limit is crossed; Line is empty), and the buffer is advanced past
    /// what was consumed.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out LineResult result)
    {
        if (_discarding && !SkipDiscarded(ref buffer))
        {
            result = default;
            return false;
        }

        var lf = buffer.PositionOf(Lf);
        if (lf is null)
        {
            // The limit counts the CRLF, so max octets without an LF can no longer end in time.
            if (buffer.Length >= _maxLineLength)
            {
                buffer = buffer.Slice(buffer.End);
                _discarding = true;
                result = new LineResult(LineStatus.TooLong, ReadOnlySequence<byte>.Empty);
                return true;
            }

            result = default;
            return false;
        }

        var content = buffer.Slice(buffer.Start, lf.Value);
        var afterLf = buffer.GetPosition(1, lf.Value);
        var total = content.Length + 1;
        buffer = buffer.Slice(afterLf);

        if (total > _maxLineLength)
        {
            result = new LineResult(LineStatus.TooLong, ReadOnlySequence<byte>.Empty);
            return true;
        }

        if (content.Length > 0 && LastByte(content) == Cr)
        {
            result = new LineResult(LineStatus.Complete, content.Slice(0, content.Length - 1));
            return true;
        }

        // RFC 5321 2.3.8: lines end with CRLF only; a lone LF is the SMTP smuggling primitive.
        result = new LineResult(LineStatus.BareLineFeed, content);
        return true;
    }

    /// <summary>Drops everything up to and including the next LF; false when the buffer ran out first.</summary>
    private bool SkipDiscarded(ref ReadOnlySequence<byte> buffer)
    {
        var lf = buffer.PositionOf(Lf);
        if (lf is null)
        {
            buffer = buffer.Slice(buffer.End);
            return false;
        }

        buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));
        _discarding = false;
        return true;
    }

    private static byte LastByte(in ReadOnlySequence<byte> sequence) =>
        sequence.Slice(sequence.Length - 1).FirstSpan[0];
}
