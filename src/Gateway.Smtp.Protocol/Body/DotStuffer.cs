namespace Gateway.Smtp.Protocol;

/// <summary>
/// Writes message octets for DATA (RFC 5321 4.5.2): a line that starts with "." gets a second one, so no line
/// of the message can pass for the end of data; <see cref="EndOfData"/> then closes the transfer. Works on any
/// number of pieces, keeping only where the last one ended. The message itself is never changed otherwise.
/// </summary>
public sealed class DotStuffer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private bool _atLineStart = true;
    private bool _any;
    private byte _last;
    private byte _beforeLast;

    /// <summary>
    /// The end of data: CRLF "." CRLF, where the first CRLF is the message's own last line end when it has one
    /// (RFC 5321 4.1.1.4). A message without a final CRLF thus arrives with one, as it must over DATA.
    /// </summary>
    public ReadOnlySpan<byte> EndOfData => !_any || (_beforeLast == Cr && _last == Lf) ? ".\r\n"u8 : "\r\n.\r\n"u8;

    /// <summary>The room <see cref="Stuff"/> may need for <paramref name="inputLength"/> octets: every one could be a line-leading dot.</summary>
    public static int MaxOutputLength(int inputLength) => checked(inputLength * 2);

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> with dots doubled; returns the octets written.</summary>
    public int Stuff(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxOutputLength(input.Length))
        {
            throw new ArgumentException("The output must hold twice the input.", nameof(output));
        }

        if (input.IsEmpty)
        {
            return 0;
        }

        _beforeLast = input.Length > 1 ? input[^2] : _last;
        _last = input[^1];
        _any = true;

        var written = 0;
        while (!input.IsEmpty)
        {
            if (_atLineStart && input[0] == Dot)
            {
                output[written++] = Dot;
            }

            // A dot after a bare CR or LF is doubled too: stored messages have CRLF only (the server refuses bare
            // line ends), but a receiver that ends lines at a lone LF must never see a "." line of ours.
            var end = input.IndexOfAny(Cr, Lf);
            if (end < 0)
            {
                input.CopyTo(output[written..]);
                written += input.Length;
                _atLineStart = false;
                break;
            }

            input[..(end + 1)].CopyTo(output[written..]);
            written += end + 1;
            input = input[(end + 1)..];
            _atLineStart = true;
        }

        return written;
    }
}
