using System.Buffers;
using System.Text;
using MimeKit;
using MimeKit.IO;

namespace Gateway.Spam.Scanning;

/// <summary>
/// The text of a part that needs no decoding at all: sent as is (7bit, 8bit, binary or no transfer encoding) and all of
/// it ASCII, as most text parts are. Read straight from the message in memory, it is the same string MimeKit's
/// <see cref="TextPart.Text"/> gives (every ASCII-compatible charset reads ASCII the same; line ends CRLF become LF, a bare
/// CR stays, a CR at the very end is dropped, as its newline filter does), without the filter chain that converts it
/// octet by octet.
/// </summary>
internal static class AsciiTextReader
{
    /// <summary>
    /// Charsets that read ASCII as ASCII and that .NET itself knows. Another one (UTF-16, UTF-7, an EBCDIC page), or
    /// none on an HTML part (whose meta element MimeKit would consult), is left to MimeKit.
    /// </summary>
    private static readonly string[] AsciiCompatible = ["us-ascii", "utf-8", "iso-8859-1"];

    /// <summary>
    /// The part's text when it can be read from <paramref name="source"/> (the octets the persistent parser read through
    /// <paramref name="parsed"/>) directly; false for MimeKit to decode.
    /// </summary>
    public static bool TryRead(TextPart part, ReadOnlyMemory<byte> source, Stream parsed, out string text)
    {
        text = "";
        if (part.Content is not { Stream: BoundStream bound } content
            || !ReferenceEquals(bound.BaseStream, parsed)
            || content.Encoding is not (ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit or ContentEncoding.Binary))
        {
            return false;
        }

        var charset = part.ContentType.Charset;
        if (charset is null ? part.IsHtml : !IsAsciiCompatible(charset))
        {
            return false;
        }

        var (start, end) = (bound.StartBoundary, bound.EndBoundary);
        if (start < 0 || end < start || end > source.Length)
        {
            return false;
        }

        var octets = source.Span[(int)start..(int)end];
        if (!Ascii.IsValid(octets))
        {
            return false;
        }

        text = WithoutCarriageReturns(octets);
        return true;
    }

    private static bool IsAsciiCompatible(string charset)
    {
        foreach (var candidate in AsciiCompatible)
        {
            if (charset.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string WithoutCarriageReturns(ReadOnlySpan<byte> octets)
    {
        if (octets.Length > 0 && octets[^1] == (byte)'\r')
        {
            octets = octets[..^1];
        }

        var rented = ArrayPool<char>.Shared.Rent(octets.Length);
        try
        {
            var written = 0;
            while (true)
            {
                var crlf = octets.IndexOf("\r\n"u8);
                var run = crlf < 0 ? octets : octets[..crlf];
                Ascii.ToUtf16(run, rented.AsSpan(written), out var widened);
                written += widened;
                if (crlf < 0)
                {
                    break;
                }

                rented[written++] = '\n';
                octets = octets[(crlf + 2)..];
            }

            return new string(rented, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
