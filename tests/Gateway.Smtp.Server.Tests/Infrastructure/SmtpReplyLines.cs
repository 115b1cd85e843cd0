namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>One reply as received: the code and each line's text after "NNN-" / "NNN ".</summary>
internal sealed record SmtpReplyLines(int Code, IReadOnlyList<string> Lines)
{
    public string Last => Lines[^1];

    /// <summary>The RFC 3463 code at the start of the last line, or null.</summary>
    public string? Enhanced
    {
        get
        {
            var space = Last.IndexOf(' ', StringComparison.Ordinal);
            var first = space < 0 ? Last : Last[..space];
            return first.Length >= 5 && char.IsDigit(first[0]) && first[1] == '.' ? first : null;
        }
    }

    public override string ToString() => string.Join(" / ", Lines.Select(l => $"{Code} {l}"));
}
