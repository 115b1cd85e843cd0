using System.Buffers;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Whether an HTML, XHTML or SVG file runs script when a browser opens it: a script element, an event handler
/// attribute inside a tag (onload=, onerror=, ...), or a javascript: or vbscript: link. Such attachments are how
/// phishing pages and "HTML smuggling" (a page that assembles a file in the browser and saves it, past the mail
/// filter) arrive; a page without script only shows what it says. Read as a stream with an overlap, so a marker
/// split between two reads is still found, in memory bounded by the overlap.
/// </summary>
internal sealed class MarkupScript
{
    /// <summary>How far back from an attribute its tag's "&lt;" is looked for, and the overlap kept between reads.</summary>
    private const int TagLookBack = 2048;

    private readonly byte[] _carry = new byte[TagLookBack];
    private int _carryLength;

    public bool Found { get; private set; }

    /// <summary>The next decoded octets of the file.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        if (Found || data.IsEmpty)
        {
            return;
        }

        var window = ArrayPool<byte>.Shared.Rent(_carryLength + data.Length);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(window);
            data.CopyTo(window.AsSpan(_carryLength));
            var length = _carryLength + data.Length;
            Found = Contains(window.AsSpan(0, length));
            _carryLength = Math.Min(TagLookBack, length);
            window.AsSpan(length - _carryLength, _carryLength).CopyTo(_carry);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>True when <paramref name="text"/> (markup, in an ASCII-compatible encoding) holds a script marker.</summary>
    public static bool Contains(ReadOnlySpan<byte> text)
    {
        var lower = ArrayPool<byte>.Shared.Rent(text.Length);
        try
        {
            var span = lower.AsSpan(0, text.Length);
            Ascii.ToLower(text, span, out _);
            return ScriptElement(span) || ScriptLink(span) || EventHandler(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(lower);
        }
    }

    private static bool ScriptElement(ReadOnlySpan<byte> text)
    {
        for (var at = text.IndexOf("<script"u8); at >= 0; at = Next(text, at, "<script"u8))
        {
            var after = at + 7;
            if (after >= text.Length || text[after] is (byte)'>' or (byte)'/' || IsSpace(text[after]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"javascript:" or "vbscript:", the colon also as a character reference, spaces allowed before it.</summary>
    private static bool ScriptLink(ReadOnlySpan<byte> text)
    {
        foreach (var scheme in (ReadOnlySpan<string>)["javascript", "vbscript"])
        {
            var marker = Encoding.ASCII.GetBytes(scheme);
            for (var at = text.IndexOf(marker); at >= 0; at = Next(text, at, marker))
            {
                var rest = text[(at + marker.Length)..].TrimStart(" \t\r\n"u8);
                if (rest.StartsWith(":"u8) || rest.StartsWith("&colon;"u8) || rest.StartsWith("&#58;"u8) || rest.StartsWith("&#x3a;"u8))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// An "on..." attribute with a value, inside a tag: whitespace, a quote or a slash before it, and the last "&lt;"
    /// before it (a tag's, at most <see cref="TagLookBack"/> back) after the last "&gt;". The last of each is carried
    /// forward from one candidate to the next, so every octet is looked at once however many candidates there are.
    /// </summary>
    private static bool EventHandler(ReadOnlySpan<byte> text)
    {
        var lastOpen = -1;
        var lastClose = -1;
        var scanned = 0;
        for (var at = text.IndexOf("on"u8); at >= 0; at = Next(text, at, "on"u8))
        {
            if (at == 0 || !(IsSpace(text[at - 1]) || text[at - 1] is (byte)'"' or (byte)'\'' or (byte)'/'))
            {
                continue;
            }

            var letters = 0;
            while (at + 2 + letters < text.Length && text[at + 2 + letters] is >= (byte)'a' and <= (byte)'z')
            {
                letters++;
            }

            if (letters is < 3 or > 24 || !text[(at + 2 + letters)..].TrimStart(" \t\r\n"u8).StartsWith("="u8))
            {
                continue;
            }

            var segment = text[scanned..at];
            var open = segment.LastIndexOf((byte)'<');
            var close = segment.LastIndexOf((byte)'>');
            lastOpen = open >= 0 ? scanned + open : lastOpen;
            lastClose = close >= 0 ? scanned + close : lastClose;
            scanned = at;
            if (lastOpen > lastClose && at - lastOpen <= TagLookBack && lastOpen + 1 < text.Length && char.IsAsciiLetter((char)text[lastOpen + 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> text, int at, ReadOnlySpan<byte> marker)
    {
        var found = text[(at + 1)..].IndexOf(marker);
        return found < 0 ? -1 : at + 1 + found;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f';
}
