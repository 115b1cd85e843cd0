namespace Gateway.Spam.Attachments;

/// <summary>
/// One file the scanner found: a MIME part (with or without a name) or an archive member, at any depth.
/// </summary>
/// <param name="Path">Where it is, for logs and replies: the part's file name or "part 3", then "/" and the member name for each archive level.</param>
/// <param name="Name">Its file name as given (part filename/name parameter, or the member's name); null when it has none.</param>
/// <param name="Type">Its real type; null when it is none of the known ones (text, images, ...).</param>
/// <param name="Encrypted">An archive member whose content is encrypted (so its type is known only from its name).</param>
/// <param name="Depth">0 for a MIME part, 1 for a member of an archive in a part, and so on.</param>
public sealed record ScannedFile(string Path, string? Name, FileType? Type, bool Encrypted, int Depth)
{
    /// <summary>As logs, replies and headers may show it (names come from the sender: no control characters).</summary>
    public string Path { get; init; } = FileNames.Display(Path);

    /// <summary>As a mail program would save it: control characters dropped, so "setup.e\u0000xe" is a .exe.</summary>
    public string? Name { get; init; } = FileNames.Saved(Name);
}

/// <summary>Why (part of) a message could not be looked into, or must not be.</summary>
public enum ScanIssueKind
{
    /// <summary>Archives claim or expand to more than allowed, have too many members, or compress too well.</summary>
    Bomb,

    /// <summary>An archive that does not read (damaged, or a compression method we do not have).</summary>
    Unreadable,

    /// <summary>An archive nested deeper than the archive depth.</summary>
    TooDeep,

    /// <summary>More MIME parts than the scanner looks at.</summary>
    TooManyParts,

    /// <summary>
    /// MIME structure that hides parts from the scan or that readers would take differently: nesting deeper than
    /// read as structure, an attached message in a transfer encoding its type forbids (read as one opaque part), two
    /// different transfer encodings or dispositions on one part.
    /// </summary>
    Structure,
}

/// <summary>One problem the scanner met, at <paramref name="Path"/>, with a reason for the log.</summary>
public sealed record ScanIssue(ScanIssueKind Kind, string Path, string Detail)
{
    public string Path { get; init; } = FileNames.Display(Path);

    public string Detail { get; init; } = FileNames.Display(Detail);
}

/// <summary>What the attachment scanner found in one message; policy-free, the pipeline decides what it means.</summary>
public sealed class AttachmentScan
{
    public List<ScannedFile> Files { get; } = [];

    public List<ScanIssue> Issues { get; } = [];

    /// <summary>MIME leaf parts looked at.</summary>
    public int Parts { get; set; }

    /// <summary>Archive members listed, all levels together.</summary>
    public int ArchiveEntries { get; set; }

    /// <summary>Uncompressed octets the archives claimed, all levels together.</summary>
    public long ClaimedBytes { get; set; }

    /// <summary>Octets actually inflated to look at members (their first octets, and nested archives whole).</summary>
    public long InflatedBytes { get; set; }

    public bool HasBomb => Issues.Any(i => i.Kind == ScanIssueKind.Bomb);
}
