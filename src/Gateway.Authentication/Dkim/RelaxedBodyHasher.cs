using System.Buffers;
using System.Security.Cryptography;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// RFC 6376 3.4.4 relaxed body canonicalization fed to SHA-256 piece by piece, so a body is hashed as it is read
/// from the spool in bounded buffers (signing a 30 MB message costs a buffer, not 30 MB): per line, WSP runs become
/// one SP and WSP at the line's end goes; empty lines at the end of the body go; a non-empty body ends in CRLF.
/// A line ends at LF; a CR just before it belongs to the ending. Gives the same hash as
/// <see cref="DkimCanonicalization.RelaxedBodyHash"/> over the whole body, however the body is cut into pieces.
/// </summary>
internal sealed class RelaxedBodyHasher : IDisposable
{
    private static readonly SearchValues<byte> Special = SearchValues.Create(" \t\r\n"u8);

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // Empty lines seen but not yet hashed: they count only when a non-empty line follows (trailing ones are dropped).
    private long _emptyLines;
    private bool _pendingSpace;
    private bool _pendingCarriageReturn;
    private bool _lineHasContent;

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (data[0] != (byte)'\n')
                {
                    // A CR not followed by LF is text of the line.
                    Content("\r"u8);
                }
            }

            var next = data.IndexOfAny(Special);
            if (next < 0)
            {
                Content(data);
                return;
            }

            if (next > 0)
            {
                Content(data[..next]);
            }

            switch (data[next])
            {
                case (byte)' ' or (byte)'\t':
                    _pendingSpace = true;
                    break;
                case (byte)'\r':
                    _pendingCarriageReturn = true;
                    break;
                default:
                    EndLine();
                    break;
            }

            data = data[(next + 1)..];
        }
    }

    /// <summary>The bh= value: SHA-256 of the canonical body.</summary>
    public byte[] Finish()
    {
        if (_pendingCarriageReturn)
        {
            _pendingCarriageReturn = false;
            Content("\r"u8);
        }

        if (_lineHasContent)
        {
            // The last line had no line end; the canonical body ends in CRLF all the same.
            _hash.AppendData("\r\n"u8);
        }

        return _hash.GetHashAndReset();
    }

    public void Dispose() => _hash.Dispose();

    /// <summary>Hashes the whole stream from its current position, in bounded pieces.</summary>
    public static async Task<byte[]> HashAsync(Stream body, CancellationToken ct)
    {
        using var hasher = new RelaxedBodyHasher();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hasher.Finish();
    }

    private void Content(ReadOnlySpan<byte> text)
    {
        if (!_lineHasContent)
        {
            for (; _emptyLines > 0; _emptyLines--)
            {
                _hash.AppendData("\r\n"u8);
            }

            _lineHasContent = true;
        }

        if (_pendingSpace)
        {
            // A WSP run inside the line (or at its start) becomes one SP; only a run at the end is dropped.
            _hash.AppendData(" "u8);
            _pendingSpace = false;
        }

        _hash.AppendData(text);
    }

    private void EndLine()
    {
        if (_lineHasContent)
        {
            _hash.AppendData("\r\n"u8);
        }
        else
        {
            _emptyLines++;
        }

        _lineHasContent = false;
        _pendingSpace = false;
    }
}
