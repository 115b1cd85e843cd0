namespace Gateway.Spam.Scanning;

/// <summary>
/// Reads the presentation attributes that hide text: a white colour, a style that does not display it, a size too
/// small to read. Background colours are not tracked, so white text counts even on a dark page; such pages are rare
/// in mail, and the classifier weighs the fact against everything else.
/// </summary>
internal static class HtmlStyle
{
    private const int MaxStyle = 512;

    public static void Read(string attribute, string value, HtmlTricks tricks)
    {
        switch (attribute)
        {
            case "color":
                tricks.InvisibleText += IsWhite(value.AsSpan().Trim()) ? 1 : 0;
                break;
            case "size":
                tricks.TinyText += value.AsSpan().Trim() is "0" or "1" or "-2" or "-3" ? 1 : 0;
                break;
            default:
                ReadStyle(value, tricks);
                break;
        }
    }

    private static void ReadStyle(string value, HtmlTricks tricks)
    {
        // Declarations compared without spaces and case: "Display : None" hides as well as "display:none".
        Span<char> buffer = stackalloc char[MaxStyle];
        var length = 0;
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxStyle)))
        {
            if (!char.IsWhiteSpace(c))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        var style = buffer[..length];
        if (style.Contains("display:none", StringComparison.Ordinal) || style.Contains("visibility:hidden", StringComparison.Ordinal)
            || IsWhite(Declaration(style, "color:")))
        {
            tricks.InvisibleText++;
        }

        var size = Declaration(style, "font-size:");
        var digits = 0;
        while (digits < size.Length && char.IsAsciiDigit(size[digits]))
        {
            digits++;
        }

        if (digits is 1 && size[0] <= '3' && (size[1..].StartsWith("px", StringComparison.Ordinal) || size[1..].StartsWith("pt", StringComparison.Ordinal) || size[0] == '0'))
        {
            tricks.TinyText++;
        }
    }

    /// <summary>The value of a declaration (up to its semicolon), ignoring properties that end with the same name ("background-color").</summary>
    private static ReadOnlySpan<char> Declaration(ReadOnlySpan<char> style, string property)
    {
        var at = style.IndexOf(property, StringComparison.Ordinal);
        while (at > 0 && style[at - 1] != ';' && style[at - 1] != '{')
        {
            var next = style[(at + 1)..].IndexOf(property, StringComparison.Ordinal);
            at = next < 0 ? -1 : at + 1 + next;
        }

        if (at < 0)
        {
            return [];
        }

        var value = style[(at + property.Length)..];
        var end = value.IndexOf(';');
        return end < 0 ? value : value[..end];
    }

    private static bool IsWhite(ReadOnlySpan<char> color) =>
        color.Equals("white", StringComparison.OrdinalIgnoreCase) || color.Equals("#fff", StringComparison.OrdinalIgnoreCase)
        || color.Equals("#ffffff", StringComparison.OrdinalIgnoreCase) || color.Equals("fff", StringComparison.OrdinalIgnoreCase)
        || color.Equals("ffffff", StringComparison.OrdinalIgnoreCase);
}
