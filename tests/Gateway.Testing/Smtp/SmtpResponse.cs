namespace Gateway.Testing.Smtp;

/// <summary>One reply as a test client read it off the wire.</summary>
public sealed record SmtpResponse(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The RFC 3463 code at the start of the last line's text, if any.</summary>
    public string? EnhancedCode
    {
        get
        {
            var text = Last;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var first = space < 0 ? text : text[..space];
            var parts = first.Split('.');
            return parts.Length == 3 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)) ? first : null;
        }
    }

    /// <summary>The text of the last line (after "NNN ").</summary>
    public string Last => Lines[^1];

    /// <summary>The text of all lines joined, for assertions on content.</summary>
    public string Text => string.Join("\n", Lines);

    public override string ToString() => $"{Code} {Text}";
}
