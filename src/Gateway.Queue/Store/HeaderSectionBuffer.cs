using System.Buffers;
using Gateway.Queue.Headers;

namespace Gateway.Queue;

/// <summary>
/// Keeps the header section of a message as it streams past (and nothing after it), up to a bound, and
/// counts its Received fields once it ends. RFC 5322 2.1: the header section ends at the first empty line.
/// </summary>
internal sealed class HeaderSectionBuffer
{
    private readonly int _limit;
    private ArrayBufferWriter<byte>? _buffer = new(4096);
    private ScanState _state = ScanState.LineStart;
    private int _receivedCount;
    private byte[]? _section;

    public HeaderSectionBuffer(int limit)
    {
        _limit = limit;
    }

    private enum ScanState
    {
        LineStart,
        CarriageReturnAtLineStart,
        InLine,
    }

    /// <summary>
    /// The whole header section including the empty line that ends it, once it has ended within the bound;
    /// null while it is still arriving or when it was longer than the bound.
    /// </summary>
    /// <remarks>
    /// Written out as a Nullable: in "_section is null ? null : new ReadOnlyMemory(...)" the null would become an
    /// empty ReadOnlyMemory through its implicit conversion from an array, and an over-long section would read as
    /// an empty one.
    /// </remarks>
    public ReadOnlyMemory<byte>? Section => _section is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(_section);

    /// <summary>Received fields in the header section (final once the section ended or the bound was hit).</summary>
    public int ReceivedCount => _buffer is null ? _receivedCount : Count(_buffer.WrittenSpan);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer is null)
        {
            return;
        }

        var end = FindEnd(data);
        var take = end < 0 ? data.Length : end;
        var room = _limit - _buffer.WrittenCount;
        if (take >= room)
        {
            // Bounded: beyond the limit the rest is treated as body (never unbounded memory per session).
            _buffer.Write(data[..room]);
            Finish(complete: false);
            return;
        }

        _buffer.Write(data[..take]);
        if (end >= 0)
        {
            Finish(complete: true);
        }
    }

    private static int Count(ReadOnlySpan<byte> section) => LoopDetector.CountReceived(section, out _);

    private void Finish(bool complete)
    {
        _receivedCount = Count(_buffer!.WrittenSpan);
        if (complete)
        {
            _section = _buffer.WrittenSpan.ToArray();
        }

        _buffer = null;
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
