namespace Gateway.Smime.Cms;

/// <summary>
/// Bounds for untrusted CMS and the MIME inside it (DESIGN invariant 4: every size and depth has a limit).
/// </summary>
public sealed record SmimeLimits
{
    /// <summary>
    /// Largest decoded CMS blob we parse. BouncyCastle parses CMS into memory, so this is also the memory bound
    /// per operation; 64 MiB is above the usual 25–50 MB message size limits of mail providers.
    /// </summary>
    public long MaxCmsBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Deepest MIME nesting accepted inside decrypted or opaque-signed content. Real mail nests a handful of
    /// levels; MimeKit's own default (1024) is far above what any client produces.
    /// </summary>
    public int MaxMimeDepth { get; init; } = 32;

    public static SmimeLimits Default { get; } = new();
}
