using System.Buffers;

namespace Gateway.Pipeline.Content;

/// <summary>
/// Keeps the header section of a message as it streams past to the spool (and nothing after it), up to a bound,
/// so every step reads the same bytes without reading the message back. RFC 5322 2.1: the header section ends at
/// the first empty line; a message may also end inside it (a message without a body, or without its final CRLF
/// when it came through BDAT).
/// </summary>
internal sealed class HeaderSectionCapture
{
    private readonly int _limit;
    private ArrayBufferWriter<byte>? _buffer = new(4096);
    private ScanState _state = ScanState.LineStart;
    private byte[]? _section;

    public HeaderSectionCapture(int limit)
    {
        _limit = limit;
    }

    private enum ScanState
    {
        LineStart,
        CarriageReturnAtLineStart,
        InLine,
    }

    /// <summary>Where the capture stands.</summary>
    public HeaderSectionStatus Status { get; private set; } = HeaderSectionStatus.Incomplete;

    /// <summary>
    /// The header section: up to and including the empty line that ended it, or the whole message when it ended
    /// first. Empty unless <see cref="Status"/> is <see cref="HeaderSectionStatus.Complete"/> or
    /// <see cref="HeaderSectionStatus.NoBody"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Section => _section;

    /// <summary>The bound this capture keeps to (for the refusal text and the log).</summary>
    public int Limit => _limit;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer is null)
        {
            return;
        }

        var end = FindEnd(data);
        var take = end < 0 ? data.Length : end;
        if (take > _limit - _buffer.WrittenCount)
        {
            // Bounded: a longer header section is never judged by its prefix (a second From past the bound would
            // go unseen); the pipeline refuses it, so nothing more needs keeping.
            _buffer = null;
            Status = HeaderSectionStatus.TooLong;
            return;
        }

        _buffer.Write(data[..take]);
        if (end >= 0)
        {
            _section = _buffer.WrittenSpan.ToArray();
            _buffer = null;
            Status = HeaderSectionStatus.Complete;
        }
    }

    /// <summary>The message has ended: a header section still open is the whole message.</summary>
    public void Finish()
    {
        if (_buffer is null)
        {
            return;
        }

        _section = _buffer.WrittenSpan.ToArray();
        _buffer = null;
        Status = HeaderSectionStatus.NoBody;
    }

    /// <summary>Index just past the empty line that ends the section, or -1 when it does not end in <paramref name="data"/>.</summary>
    private int FindEnd(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            switch (_state)
            {
                case ScanState.LineStart when b == (byte)'\n':
                case ScanState.CarriageReturnAtLineStart when b == (byte)'\n':
                    return i + 1;
                case ScanState.LineStart when b == (byte)'\r':
                    _state = ScanState.CarriageReturnAtLineStart;
                    break;
                default:
                    _state = b == (byte)'\n' ? ScanState.LineStart : ScanState.InLine;
                    break;
            }
        }

        return -1;
    }
}
