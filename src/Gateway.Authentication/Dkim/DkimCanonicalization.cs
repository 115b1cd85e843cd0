using System.Buffers;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Gateway.Authentication.Dkim;

/// <summary>The "relaxed" canonicalizations of RFC 6376 3.4.2 (header) and 3.4.4 (body), fed into a SHA-256 hash.</summary>
internal static class DkimCanonicalization
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// RFC 6376 3.4.2: lower-case the name, unfold, turn WSP runs into one SP, drop WSP at the ends of the value
    /// and around the colon. <paramref name="terminate"/> adds the CRLF; the signature's own header goes without
    /// it (RFC 6376 3.7).
    /// </summary>
    public static void AppendRelaxedHeader(IncrementalHash hash, ReadOnlySpan<char> name, ReadOnlySpan<byte> value, bool terminate)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(name.Length + value.Length + 3);
        try
        {
            var length = 0;
            foreach (var c in name)
            {
                buffer[length++] = (byte)char.ToLowerInvariant(c);
            }

            buffer[length++] = (byte)':';
            var pendingSpace = false;
            var started = false;
            foreach (var b in value)
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    pendingSpace = started;
                    continue;
                }

                if (pendingSpace)
                {
                    buffer[length++] = (byte)' ';
                    pendingSpace = false;
                }

                buffer[length++] = b;
                started = true;
            }

            if (terminate)
            {
                buffer[length++] = (byte)'\r';
                buffer[length++] = (byte)'\n';
            }

            hash.AppendData(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// RFC 6376 3.4.3: the body as is, without the empty lines at its end, ending in one CRLF (an empty body is a
    /// single CRLF). Returns the SHA-256 of the result.
    /// </summary>
    public static byte[] SimpleBodyHash(ReadOnlySpan<byte> body)
    {
        var end = body.Length;
        while (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n')
        {
            end -= 2;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(body[..end]);
        hash.AppendData(Crlf);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// RFC 6376 3.4.4: per line, drop trailing WSP and reduce WSP runs to one SP; drop empty lines at the end of
    /// the body; a non-empty body ends with CRLF. Returns the SHA-256 of the result (RFC 6376 3.7 bh=).
    /// </summary>
    public static byte[] RelaxedBodyHash(ReadOnlySpan<byte> body)
    {
        if (IsRelaxedCanonical(body, out var canonicalEnd))
        {
            // The usual body: CRLF line ends, single spaces between words, no tabs and nothing at line ends, so it
            // is its own canonical form up to its trailing empty lines.
            using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            whole.AppendData(body[..canonicalEnd]);
            return whole.GetHashAndReset();
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[]? line = null;
        try
        {
            // Most lines have no WSP and end in CRLF, so they are their own canonical form: consecutive such lines
            // are hashed straight from the body as one run instead of line by line.
            var runStart = 0;
            var runEnd = 0;
            var emptyLines = 0;
            var position = 0;
            while (position < body.Length)
            {
                var (end, next, crlf) = Line(body, position);

                var content = body[position..end];
                var unchanged = content.IndexOfAny((byte)' ', (byte)'\t') < 0;
                var length = content.Length;
                if (!unchanged)
                {
                    if (line is null || line.Length < content.Length)
                    {
                        if (line is not null)
                        {
                            ArrayPool<byte>.Shared.Return(line);
                        }

                        line = ArrayPool<byte>.Shared.Rent(Math.Max(content.Length, 1024));
                    }

                    length = CanonicalizeLine(content, line);
                }

                if (length == 0)
                {
                    emptyLines++;
                    position = next;
                    continue;
                }

                if (emptyLines > 0 || !unchanged || !crlf)
                {
                    // This line cannot join the run: hash the run, the empty lines held back, then the line.
                    hash.AppendData(body[runStart..runEnd]);
                    for (; emptyLines > 0; emptyLines--)
                    {
                        hash.AppendData(Crlf);
                    }

                    if (unchanged && crlf)
                    {
                        runStart = position;
                        runEnd = next;
                    }
                    else
                    {
                        hash.AppendData(unchanged ? content : line.AsSpan(0, length));
                        hash.AppendData(Crlf);
                        runStart = runEnd = next;
                    }
                }
                else
                {
                    runEnd = next;
                }

                position = next;
            }

            hash.AppendData(body[runStart..runEnd]);
            return hash.GetHashAndReset();
        }
        finally
        {
            if (line is not null)
            {
                ArrayPool<byte>.Shared.Return(line);
            }
        }
    }

    /// <summary>
    /// Octets in the canonical form of <paramref name="body"/> (RFC 6376 3.4.3 simple, 3.4.4 relaxed), the count an
    /// l= tag is measured against: an l= below it leaves the rest of the body unsigned (RFC 6376 8.2).
    /// </summary>
    public static long CanonicalBodyLength(ReadOnlySpan<byte> body, bool relaxed)
    {
        // Line ends as the canonical forms are made from a parsed message: LF, with a CR before it belonging to the
        // ending, written as CRLF (a bare LF counts two octets, as MimeKit hashes it).
        long total = 0;
        long emptyLines = 0;
        var position = 0;
        while (position < body.Length)
        {
            var (end, next, _) = Line(body, position);
            var length = relaxed ? CanonicalLineLength(body[position..end]) : end - position;
            if (length == 0)
            {
                emptyLines++;
            }
            else
            {
                // Empty lines count only when a non-empty line follows them; each line gets its CRLF.
                total += (emptyLines * 2) + length + 2;
                emptyLines = 0;
            }

            position = next;
        }

        // Simple: an empty body is one CRLF (RFC 6376 3.4.3); relaxed: nothing (3.4.4).
        return total == 0 && !relaxed ? 2 : total;
    }

    /// <summary>
    /// The line starting at <paramref name="position"/> as both canonicalizations read lines: it ends at LF (or the
    /// body's end), and a CR before the LF belongs to the ending. <c>End</c> is where its content ends, <c>Next</c>
    /// where the next line starts, <c>Crlf</c> whether it ended in CR LF.
    /// </summary>
    private static (int End, int Next, bool Crlf) Line(ReadOnlySpan<byte> body, int position)
    {
        var lf = body[position..].IndexOf((byte)'\n');
        var end = lf < 0 ? body.Length : position + lf;
        var next = lf < 0 ? body.Length : end + 1;
        var crlf = lf >= 0 && end > position && body[end - 1] == '\r';
        return (crlf ? end - 1 : end, next, crlf);
    }

    /// <summary>The length <see cref="CanonicalizeLine"/> would give, without writing it.</summary>
    private static int CanonicalLineLength(ReadOnlySpan<byte> content)
    {
        var length = 0;
        var pendingSpace = false;
        foreach (var b in content)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                pendingSpace = true;
                continue;
            }

            length += pendingSpace ? 2 : 1;
            pendingSpace = false;
        }

        return length;
    }

    /// <summary>
    /// Whether the relaxed body canonicalization leaves the body as it is but for trailing empty lines, which then
    /// end at <paramref name="end"/>: every line ends in CRLF, and no line holds a tab, two spaces in a row or a
    /// space at its end.
    /// </summary>
    private static bool IsRelaxedCanonical(ReadOnlySpan<byte> body, out int end)
    {
        end = body.Length;
        while (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n')
        {
            end -= 2;
        }

        if (end == 0)
        {
            // Only empty lines (or nothing): the canonical body is empty.
            return true;
        }

        if (end == body.Length || body.IndexOf((byte)'\t') >= 0 || body.IndexOf("  "u8) >= 0 || body.IndexOf(" \r\n"u8) >= 0)
        {
            // Without a final CRLF (end == length) the last line would need one added; WSP would change.
            return false;
        }

        // Bare LF ends a line too and becomes CRLF: every LF must already have its CR.
        if (HasBareLf(body))
        {
            return false;
        }

        // Keep the CRLF of the last non-empty line.
        end += 2;
        return true;
    }

    /// <summary>Whether some LF has no CR before it; 32 bytes at a time, comparing each byte with the one before.</summary>
    internal static bool HasBareLf(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return false;
        }

        if (data[0] == '\n')
        {
            return true;
        }

        var i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            var lf = Vector256.Create((byte)'\n');
            var cr = Vector256.Create((byte)'\r');
            for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
            {
                var current = Vector256.Create(data.Slice(i, Vector256<byte>.Count));
                var previous = Vector256.Create(data.Slice(i - 1, Vector256<byte>.Count));
                if (Vector256.AndNot(Vector256.Equals(current, lf), Vector256.Equals(previous, cr)) != Vector256<byte>.Zero)
                {
                    return true;
                }
            }
        }

        for (; i < data.Length; i++)
        {
            if (data[i] == '\n' && data[i - 1] != '\r')
            {
                return true;
            }
        }

        return false;
    }

    private static int CanonicalizeLine(ReadOnlySpan<byte> content, byte[] output)
    {
        var length = 0;
        var pendingSpace = false;
        foreach (var b in content)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                // A run at the start of a line also becomes one SP (only trailing WSP is dropped).
                output[length++] = (byte)' ';
                pendingSpace = false;
            }

            output[length++] = b;
        }

        return length;
    }
}
