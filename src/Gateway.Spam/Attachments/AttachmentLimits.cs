namespace Gateway.Spam.Attachments;

/// <summary>
/// How far the attachment scanner goes (DESIGN invariant 4: every parse is bounded). The MIME structure is read as a
/// stream, so a message costs memory for one part's first octets at a time, plus one archive being looked into.
/// </summary>
/// <param name="ArchiveDepth">Archive levels opened: 1 looks into a zip attached to the message, 2 into a zip inside it.</param>
/// <param name="MaxExpanded">
/// Uncompressed octets the archives of one message may claim (the sum of their members' sizes, nested ones
/// included) and the most that is ever inflated; past it the message holds an archive bomb.
/// </param>
/// <param name="MaxEntries">Members of all archives of one message together; more is a bomb too.</param>
/// <param name="MaxRatio">
/// Uncompressed to compressed size of one archive's members together; above it (for at least
/// <see cref="RatioFloor"/> octets uncompressed) the archive is a bomb. Text compresses 5 to 20 times; zeros 1,000.
/// </param>
/// <param name="RatioFloor">Uncompressed octets from which <see cref="MaxRatio"/> applies.</param>
/// <param name="MaxParts">MIME parts looked at; a message with more is reported as not fully checked.</param>
/// <param name="MaxMimeDepth">Nesting of multiparts and attached messages read as structure; deeper is one opaque part.</param>
/// <param name="MemoryBuffer">Octets of an archive held in memory while it is looked into; a larger one goes to a temporary file.</param>
public sealed record AttachmentLimits(
    int ArchiveDepth = 3,
    long MaxExpanded = 100L * 1024 * 1024,
    int MaxEntries = 10_000,
    double MaxRatio = 100,
    long RatioFloor = 1024 * 1024,
    int MaxParts = 10_000,
    int MaxMimeDepth = 64,
    int MemoryBuffer = 4 * 1024 * 1024)
{
    public static AttachmentLimits Default { get; } = new();
}
