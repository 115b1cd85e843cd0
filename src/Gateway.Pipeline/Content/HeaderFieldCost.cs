namespace Gateway.Pipeline.Content;

/// <summary>
/// What it costs a MIME parser to read a message's header fields, bounded before any parser sees them. MimeKit grows
/// its buffer for a field line by line, copying what it has each time, so a field of many short folded lines costs
/// the square of its length: one part header of 20,000 folded parameters (229 KB) took 0.27 s and 400 MiB, 2 MB took
/// 6 s and 29 GiB. Every header section a parser may meet is measured in one pass over the message: the message's
/// own, the one after any line starting with "--" (every boundary does; a signature separator or a rule costs nothing
/// more than a look), and the one that starts the body of a part whose Content-Type names a message type however it
/// is spelt, or that has no Content-Type in a digest (an attached message). Body lines elsewhere are not fields to any
/// parser and cost nothing.
/// </summary>
internal sealed class HeaderFieldCost
{
    /// <summary>
    /// Octets copied, as the growth model counts them, that a whole message may cost: about 50 ms of parsing. A field
    /// reaches it at about 180 KB of short folded lines; Postfix's header_size_limit truncates any field at 100 KB.
    /// </summary>
    public const long Budget = 256L << 20;

    /// <summary>MimeKit rounds its header buffer up to this much when it grows it.</summary>
    private const int Growth = 64;

    /// <summary>About what MimeKit reads at a time: a long line arrives in pieces of this size.</summary>
    private const int ReadAhead = 4096;

    private bool _inHeader = true;
    private bool _mentionsMessage;

    /// <summary>The header section being read is a part's (it followed a "--" line).</summary>
    private bool _partHeader;

    private bool _hasContentType;
    private bool _inContentType;

    /// <summary>A Content-Type named a digest: its parts without a Content-Type are attached messages.</summary>
    private bool _digest;
    private long _fieldLines;
    private long _fieldOctets;
    private long _lineNumber;
    private readonly byte[] _partial = new byte[256];
    private int _partialLength;
    private long _partialOverflow;

    /// <summary>The cost so far.</summary>
    public long Cost { get; private set; }

    /// <summary>The line at which the cost first went over <see cref="Budget"/>; 0 while it has not.</summary>
    public long ExceededAtLine { get; private set; }

    public bool Exceeded => ExceededAtLine > 0;

    /// <summary>Measures the next octets of the message (any split into chunks gives the same cost).</summary>
    public void Add(ReadOnlySpan<byte> octets)
    {
        while (!octets.IsEmpty && !Exceeded)
        {
            var lf = octets.IndexOf((byte)'\n');
            if (lf < 0)
            {
                Keep(octets);
                return;
            }

            if (_partialLength > 0)
            {
                Keep(octets[..lf]);
                Line(_partial.AsSpan(0, _partialLength), _partialOverflow);
                (_partialLength, _partialOverflow) = (0, 0);
            }
            else
            {
                Line(octets[..lf], 0);
            }

            octets = octets[(lf + 1)..];
        }
    }

    /// <summary>The message has ended.</summary>
    public void Complete()
    {
        if (_partialLength > 0)
        {
            Line(_partial.AsSpan(0, _partialLength), _partialOverflow);
            (_partialLength, _partialOverflow) = (0, 0);
        }

        EndField();
    }

    /// <summary>Measures a whole message in memory.</summary>
    public static HeaderFieldCost Measure(ReadOnlySpan<byte> message)
    {
        var cost = new HeaderFieldCost();
        cost.Add(message);
        cost.Complete();
        return cost;
    }

    /// <summary>Measures a whole message from a stream.</summary>
    public static async Task<HeaderFieldCost> MeasureAsync(Stream message, CancellationToken cancellationToken)
    {
        var cost = new HeaderFieldCost();
        var buffer = new byte[64 * 1024];
        int read;
        while (!cost.Exceeded && (read = await message.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            cost.Add(buffer.AsSpan(0, read));
        }

        cost.Complete();
        return cost;
    }

    // Only the start of a long line matters (is it empty, folded, "--", a message/ type); its length counts in full.
    private void Keep(ReadOnlySpan<byte> octets)
    {
        var kept = Math.Min(_partial.Length - _partialLength, octets.Length);
        octets[..kept].CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += kept;
        _partialOverflow += octets.Length - kept;
    }

    /// <param name="line">The line without its LF (or its first octets, for a long one).</param>
    /// <param name="more">Octets of the line beyond <paramref name="line"/>.</param>
    private void Line(ReadOnlySpan<byte> line, long more)
    {
        _lineNumber++;
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!_inHeader)
        {
            // A boundary, or a line a parser could take for one: a part's header section may follow.
            _inHeader = line.StartsWith("--"u8);
            (_partHeader, _hasContentType, _mentionsMessage) = (_inHeader, false, false);
            return;
        }

        if (line.IsEmpty)
        {
            EndField();

            // The fields of an attached message follow the fields of its part directly: a part whose Content-Type
            // names a message type, or, in a multipart/digest, a part with no Content-Type at all (RFC 2046 5.1.5).
            _inHeader = _mentionsMessage || (_digest && _partHeader && !_hasContentType);
            (_partHeader, _hasContentType, _mentionsMessage, _inContentType) = (false, false, false, false);
            return;
        }

        if (line[0] is (byte)' ' or (byte)'\t')
        {
            _fieldLines++;
        }
        else
        {
            EndField();
            _fieldLines = 1;
            _inContentType = IsContentType(line);
            _hasContentType |= _inContentType;
        }

        _fieldOctets += line.Length + more + 2;
        if (_inContentType)
        {
            // Read loosely: a parser takes "message (x)/rfc822", "message /rfc822" and a type folded over lines as a
            // message type; a line too long to have been kept whole is taken as naming one.
            _mentionsMessage |= more > 0 || Contains(line, "message"u8);
            _digest |= Contains(line, "digest"u8);
        }
    }

    private static bool IsContentType(ReadOnlySpan<byte> line)
    {
        if (line.Length < 13 || !System.Text.Ascii.EqualsIgnoreCase(line[..12], "content-type"u8))
        {
            return false;
        }

        var rest = line[12..].TrimStart(" \t"u8);
        return rest.Length > 0 && rest[0] == (byte)':';
    }

    private static bool Contains(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerWord)
    {
        for (var at = line.IndexOfAny(lowerWord[0], (byte)(lowerWord[0] - 0x20)); at >= 0 && at + lowerWord.Length <= line.Length;)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(line.Slice(at, lowerWord.Length), lowerWord))
            {
                return true;
            }

            var next = line[(at + 1)..].IndexOfAny(lowerWord[0], (byte)(lowerWord[0] - 0x20));
            at = next < 0 ? -1 : at + 1 + next;
        }

        return false;
    }

    private void EndField()
    {
        if (_fieldLines > 0)
        {
            // Each line, and each read-ahead chunk of a long line, that does not fit the buffer grows it (to the next
            // multiple of Growth) and copies what it holds: about half the field per growth.
            var growths = Math.Min(_fieldLines + (_fieldOctets / ReadAhead), (_fieldOctets / Growth) + 1);
            Cost += growths * (_fieldOctets / 2);
            if (Cost > Budget && ExceededAtLine == 0)
            {
                ExceededAtLine = _lineNumber;
            }
        }

        _fieldLines = 0;
        _fieldOctets = 0;
    }
}
