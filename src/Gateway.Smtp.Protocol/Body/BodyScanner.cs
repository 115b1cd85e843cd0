using System.Buffers;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Scans message octets for <see cref="BodyDefects"/>, in any number of pieces: a CR at the end of one piece
/// and an LF at the start of the next make a proper CRLF. Used as is for BDAT chunks (RFC 3030: exact octet
/// counts, no dot-stuffing) and inside <see cref="DataBodyReader"/>.
/// </summary>
public sealed class BodyScanner
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private static readonly SearchValues<byte> Special = SearchValues.Create([Cr, Lf, 0]);

    private readonly int _maxLineLength;
    private long _lineLength;
    private bool _pendingCr;

    /// <param name="maxLineLength">Text-line limit including the CRLF (RFC 5321 4.5.3.1.6: 1000).</param>
    public BodyScanner(int maxLineLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 3);
        _maxLineLength = maxLineLength;
    }

    public BodyDefects Defects { get; private set; }

    public void Scan(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (data[0] == Lf)
                {
                    // CRLF: the line (CR already counted) ends here with its LF.
                    CountLine(1);
                    _lineLength = 0;
                    data = data[1..];
                    continue;
                }

                Defects |= BodyDefects.BareCarriageReturn;
            }

            var next = data.IndexOfAny(Special);
            if (next < 0)
            {
                CountLine(data.Length);
                return;
            }

            CountLine(next + 1);
            switch (data[next])
            {
                case Cr:
                    _pendingCr = true;
                    break;
                case Lf:
                    // A bare LF still ends a line for the length count: that is how most readers will see it.
                    Defects |= BodyDefects.BareLineFeed;
                    _lineLength = 0;
                    break;
                default:
                    Defects |= BodyDefects.Nul;
                    break;
            }

            data = data[(next + 1)..];
        }
    }

    /// <summary>The message ended: a CR still waiting for its LF is a bare CR.</summary>
    public void Complete()
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            Defects |= BodyDefects.BareCarriageReturn;
        }
    }

    private void CountLine(int octets)
    {
        _lineLength += octets;
        if (_lineLength > _maxLineLength)
        {
            Defects |= BodyDefects.LineTooLong;
        }
    }
}
