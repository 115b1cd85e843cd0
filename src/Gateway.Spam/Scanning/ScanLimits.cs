namespace Gateway.Spam.Scanning;

/// <summary>
/// How much of a message the scorer looks at (DESIGN invariant 4: every parse is bounded). Spam is small: filters
/// conventionally skip or truncate past a few hundred kilobytes (SpamAssassin's spamc skips mail over 500 KB), so a
/// larger message is scored on its first <see cref="MaxScanBytes"/> and marked truncated. Counts and depth bound the
/// MIME walk, so a message of a thousand parts or a hundred nested multiparts costs no more than a normal one.
/// </summary>
/// <param name="MaxScanBytes">Bytes of the raw message parsed and matched by raw rules.</param>
/// <param name="MaxParts">MIME parts visited; the rest are not decoded.</param>
/// <param name="MaxDepth">Nesting of multiparts and attached messages parsed as structure; deeper content is opaque.</param>
/// <param name="MaxTextChars">Characters of decoded text (all text parts together) kept for body rules and tokens.</param>
public sealed record ScanLimits(int MaxScanBytes = 512 * 1024, int MaxParts = 100, int MaxDepth = 16, int MaxTextChars = 256 * 1024)
{
    public static ScanLimits Default { get; } = new();
}
