using System.Buffers;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Reads a DATA body (RFC 5321 4.1.1.4): dot-unstuffing (4.5.2) and end detection, with defect scanning.
/// </summary>
/// <remarks>
/// Only CRLF "." CRLF ends the data, where the first CRLF is the end of the previous line or of the DATA
/// command itself (so ".\r\n" as the very first line is an empty body). "\n.\n", "\r.\r", "\n.\r\n" and
/// "\r\n.\n" never end it: they are the SMTP smuggling forms (CVE-2023-51764 and kin), and a gateway that
/// ends the body where the next hop does not would let one message carry another. For the same reason a
/// "line start" (for unstuffing too) is only the octet after a CRLF, never after a bare LF or CR. A line
/// beginning with "." and more octets loses the "." (RFC 5321 4.5.2), so "..x" becomes ".x".
/// </remarks>
public sealed class DataBodyReader
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private static ReadOnlySpan<byte> CrOctet => [Cr];

    private static ReadOnlySpan<byte> LfOctet => [Lf];

    private readonly BodyScanner _scanner;
    private State _state = State.LineStart;

    /// <param name="maxLineLength">Text-line limit including the CRLF (RFC 5321 4.5.3.1.6: 1000); longer lines set
    /// <see cref="BodyDefects.LineTooLong"/> but are still read.</param>
    public DataBodyReader(int maxLineLength)
    {
        _scanner = new BodyScanner(maxLineLength);
    }

    private enum State
    {
        LineStart,
        LineStartDot,
        LineStartDotCr,
        InLine,
        InLineCr,
        Done,
    }

    public BodyDefects Defects => _scanner.Defects;

    /// <summary>Octets written to the output so far (the unstuffed body).</summary>
    public long BodyLength { get; private set; }

    /// <summary>True once the terminating CRLF "." CRLF was consumed.</summary>
    public bool IsComplete => _state == State.Done;

    /// <summary>
    /// Consumes as much of <paramref name="buffer"/> as possible and appends the unstuffed body octets to
    /// <paramref name="output"/> (CRLF line ends kept, the CRLF before the final "." included, ".\r\n" excluded).
    /// Returns true once the terminator was consumed; the buffer then starts right after it, so pipelined
    /// commands stay in it. Returns false when everything was consumed and more input is needed.
    /// </summary>
    public bool Read(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_state == State.Done)
        {
            throw new InvalidOperationException("The body has already ended.");
        }

        long consumed = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            var i = 0;
            while (i < span.Length)
            {
                switch (_state)
                {
                    case State.LineStart:
                        if (span[i] == Dot)
                        {
                            _state = State.LineStartDot;
                            i++;
                        }
                        else
                        {
                            _state = State.InLine;
                        }

                        break;

                    case State.LineStartDot:
                        if (span[i] == Cr)
                        {
                            _state = State.LineStartDotCr;
                            i++;
                        }
                        else
                        {
                            // RFC 5321 4.5.2: a leading "." with more on the line is deleted.
                            _state = State.InLine;
                        }

                        break;

                    case State.LineStartDotCr:
                        if (span[i] == Lf)
                        {
                            _state = State.Done;
                            _scanner.Complete();
                            buffer = buffer.Slice(consumed + i + 1);
                            return true;
                        }

                        // "." CR and something else: the "." goes (4.5.2), the CR is line content.
                        Emit(CrOctet, output);
                        _state = State.InLineCr;
                        break;

                    case State.InLine:
                        var cr = span[i..].IndexOf(Cr);
                        if (cr < 0)
                        {
                            Emit(span[i..], output);
                            i = span.Length;
                        }
                        else
                        {
                            Emit(span.Slice(i, cr + 1), output);
                            i += cr + 1;
                            _state = State.InLineCr;
                        }

                        break;

                    default:
                        if (span[i] == Lf)
                        {
                            Emit(LfOctet, output);
                            i++;
                            _state = State.LineStart;
                        }
                        else
                        {
                            _state = State.InLine;
                        }

                        break;
                }
            }

            consumed += span.Length;
        }

        buffer = buffer.Slice(buffer.End);
        return false;
    }

    private void Emit(ReadOnlySpan<byte> octets, IBufferWriter<byte> output)
    {
        output.Write(octets);
        _scanner.Scan(octets);
        BodyLength += octets.Length;
    }
}
