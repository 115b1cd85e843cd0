namespace Gateway.Spam.Attachments;

/// <summary>
/// File names from MIME fields and archive directories are the sender's text: a CR, LF or ESC in one would forge a log
/// line or a terminal's display, and a NUL or other control character would hide an extension from a check that a
/// mail program, dropping it, would then see.
/// </summary>
internal static class FileNames
{
    /// <summary>Longer names are cut: nothing legitimate needs more, and logs should not carry kilobytes of one.</summary>
    public const int MaxLength = 1_024;

    /// <summary>What is kept of a name's end when it is cut: the extension is there, and it is what the checks read.</summary>
    private const int KeptEnd = 64;

    /// <summary>Control characters shown as '?', cut to <see cref="MaxLength"/> (its end, with the extension, kept).</summary>
    public static string Display(string text)
    {
        var cut = Cut(text);
        if (!cut.AsSpan().ContainsAny(Controls))
        {
            return cut;
        }

        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    /// <summary>Control characters dropped, as a mail program saving the file drops them; cut at <see cref="MaxLength"/>.</summary>
    public static string? Saved(string? name)
    {
        if (name is null || !name.AsSpan().ContainsAny(Controls))
        {
            return name is null ? null : Cut(name);
        }

        return Cut(string.Concat(name.Where(c => !char.IsControl(c))));
    }

    // "aaaa…aaaa.js" cut at the front alone would lose ".js" and pass an extension check: the end is kept.
    private static string Cut(string text) =>
        text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - KeptEnd), text.AsSpan(text.Length - KeptEnd));

    private static readonly System.Buffers.SearchValues<char> Controls = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), '\u007f', .. Enumerable.Range(0x80, 0x20).Select(i => (char)i)]);
}
