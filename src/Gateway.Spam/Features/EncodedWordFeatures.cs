using System.Text;

namespace Gateway.Spam.Features;

/// <summary>
/// The charsets and encodings of RFC 2047 encoded words in the header section ("=?gb2312?B?...?="), read from the raw
/// message because the parsed fields are already decoded. Which charset a sender's software writes its subjects and
/// names in is a fact about the sender and its audience that survives from one campaign to the next.
/// </summary>
internal static class EncodedWordFeatures
{
    private const int MaxWords = 8;
    private const int MaxCharset = 24;

    /// <summary>Reads the header section of <paramref name="raw"/>, the message as received (octets, read as Latin-1).</summary>
    public static void Add(ReadOnlySpan<byte> raw, TokenSink sink)
    {
        var end = raw.IndexOf("\r\n\r\n"u8);
        var header = end < 0 ? raw : raw[..end];
        Span<char> chars = stackalloc char[MaxCharset];
        Span<char> lower = stackalloc char[MaxCharset + 2];
        for (var words = 0; words < MaxWords; words++)
        {
            var start = header.IndexOf("=?"u8);
            if (start < 0)
            {
                return;
            }

            header = header[(start + 2)..];
            var question = header.IndexOf((byte)'?');
            if (question is <= 0 or > MaxCharset || question + 2 >= header.Length || header[question + 2] != '?')
            {
                continue;
            }

            // RFC 2231 allows a language after '*' ("utf-8*en"); it says nothing about the sender's software.
            var charset = chars[..Encoding.Latin1.GetChars(header[..question], chars)];
            var star = charset.IndexOf('*');
            charset = star < 0 ? charset : charset[..star];
            var token = lower[..(charset.Length + 2)];
            charset.ToLowerInvariant(token);
            token[charset.Length] = ':';
            token[^1] = char.ToUpperInvariant((char)header[question + 1]);
            sink.Add("h:ew:", token);
            header = header[(question + 3)..];
        }
    }
}
