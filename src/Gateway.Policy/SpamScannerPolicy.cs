namespace Gateway.Policy;

/// <summary>
/// Attachment policy for one recipient domain (spam.attachments, or spam.domains.DOMAIN.attachments over it): which
/// real file types (found by their magic bytes, not their names) and which name extensions are blocked, what happens
/// to archives that cannot be looked into, and how deep and how far archives are unpacked.
/// </summary>
public sealed record AttachmentPolicy
{
    /// <summary>The type names and categories block_types accepts (the scanner's file types use the same names).</summary>
    public static IReadOnlyList<string> KnownTypes { get; } =
    [
        "executable", "pe", "elf", "macho", "jar", "lnk",
        "script",
        "office", "ole", "ooxml", "office-macro", "onenote",
        "pdf",
        "html", "html-script",
        "archive", "zip", "rar", "7z", "gzip", "bzip2", "xz", "cab", "zstd", "iso",
    ];

    public const int DefaultArchiveDepth = 3;

    public const long DefaultMaxExpanded = 100L * 1024 * 1024;

    /// <summary>Type names or categories (<see cref="KnownTypes"/>) that are blocked.</summary>
    public IReadOnlyList<string> BlockTypes { get; init; } = ["executable"];

    /// <summary>Lower-case name extensions with their dot (".exe"), blocked for MIME parts and archive members alike.</summary>
    public IReadOnlyList<string> BlockExtensions { get; init; } = [];

    /// <summary>What happens to a message with a blocked type or extension, or an archive bomb.</summary>
    public AttachmentAction Action { get; init; } = AttachmentAction.Reject;

    /// <summary>
    /// What happens to archives that cannot be looked into: encrypted members, archives that do not read, or nested
    /// deeper than <see cref="ArchiveDepth"/>.
    /// </summary>
    public AttachmentAction EncryptedArchives { get; init; } = AttachmentAction.Tag;

    /// <summary>How many archive levels are opened (an archive inside a part is level 1).</summary>
    public int ArchiveDepth { get; init; } = DefaultArchiveDepth;

    /// <summary>Uncompressed octets all archives of one message may claim or expand to; beyond it they are a bomb.</summary>
    public long MaxExpanded { get; init; } = DefaultMaxExpanded;

    /// <summary>Points a blocked attachment adds to the spam score when the action is tag.</summary>
    public double Score { get; init; } = 10;

    /// <summary>Points an archive that cannot be looked into adds when it is tagged.</summary>
    public double EncryptedScore { get; init; } = 3;

    /// <summary>True when the policy blocks <paramref name="type"/> (a scanner type name) of <paramref name="category"/>.</summary>
    public bool Blocks(string type, string category) =>
        BlockTypes.Contains(type, StringComparer.Ordinal) || BlockTypes.Contains(category, StringComparer.Ordinal);
}

/// <summary>What an attachment finding does to the message.</summary>
public enum AttachmentAction
{
    /// <summary>550 5.7.1 at the end of DATA, naming the reason.</summary>
    Reject,

    /// <summary>Delivered with the finding as a spam reason (its points) and an X-Attachment-Findings field.</summary>
    Tag,
}

/// <summary>What a scanner that is down, times out or answers nonsense means for the message.</summary>
public enum ScannerFailureAction
{
    /// <summary>451 4.7.1: the sender tries again later; nothing is accepted unscanned.</summary>
    TempFail,

    /// <summary>Accepted with a field saying it was not scanned, a warning in the log and a metric; never silently.</summary>
    Accept,
}

/// <summary>What a virus found by clamd means for the message (spam.clamav.virus_action); never delivery.</summary>
public enum VirusAction
{
    /// <summary>554 5.7.1 at the end of DATA, naming the signature: the sender learns, nothing is kept.</summary>
    Reject,

    /// <summary>Accepted and kept in the quarantine with the signature; only an administrator can release it.</summary>
    Quarantine,
}

/// <summary>
/// ClamAV's clamd (spam.clamav): every inbound message is streamed to it with INSTREAM; a virus is refused with
/// 554 5.7.1 and never delivered.
/// </summary>
public sealed record ClamAvPolicy
{
    public const int DefaultPort = 3310;

    /// <summary>TCP address of clamd; null when <see cref="SocketPath"/> is set.</summary>
    public HostEndpoint? Endpoint { get; init; }

    /// <summary>Path of clamd's unix socket (address "unix:/run/clamav/clamd.ctl"); null for TCP.</summary>
    public string? SocketPath { get; init; }

    /// <summary>How long one scan may take, connecting included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public ScannerFailureAction OnFailure { get; init; } = ScannerFailureAction.TempFail;

    public VirusAction VirusAction { get; init; } = VirusAction.Reject;

    /// <summary>
    /// Larger messages are not sent (clamd's own StreamMaxLength, 25 MB by default, would refuse them): they are
    /// accepted with a field saying so, a log line and a metric. A fixed rule, so such a message is never retried forever.
    /// </summary>
    public long MaxSize { get; init; } = 25L * 1024 * 1024;

    /// <summary>"host:port" or "unix:/path", for logs.</summary>
    public string Address => SocketPath is { } path ? "unix:" + path : Endpoint?.ToString() ?? "";
}

/// <summary>
/// rspamd's normal worker (spam.rspamd): its /checkv2 score, times <see cref="Weight"/> and held within
/// [<see cref="MinScore"/>, <see cref="MaxScore"/>], is one more reason in our own verdict; its action is only logged.
/// </summary>
public sealed record RspamdPolicy
{
    /// <summary>Base URL of the worker, e.g. http://127.0.0.1:11333/.</summary>
    public required Uri Url { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Factor for rspamd's score.</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>The most points rspamd may add.</summary>
    public double MaxScore { get; init; } = 10;

    /// <summary>The least (most negative) points rspamd may give; 0: rspamd can add suspicion, never vouch for a message.</summary>
    public double MinScore { get; init; }

    public ScannerFailureAction OnFailure { get; init; } = ScannerFailureAction.Accept;

    /// <summary>Larger messages are not sent; they are scored by our own rules alone (and say so in the log).</summary>
    public long MaxSize { get; init; } = 25L * 1024 * 1024;
}
