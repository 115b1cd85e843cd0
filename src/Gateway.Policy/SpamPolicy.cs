namespace Gateway.Policy;

/// <summary>
/// Content spam scoring for inbound mail (spam:): the pattern rules, the trained classifier's model file, and per
/// recipient domain the threshold and what happens to mail at or above it. Without the section nothing is scored.
/// </summary>
public sealed record SpamPolicy
{
    /// <summary>True when the policy has a spam: section.</summary>
    public bool Enabled { get; init; }

    /// <summary>Threshold and action for recipient domains without an entry of their own.</summary>
    public SpamDomainPolicy Default { get; init; } = new();

    /// <summary>Per recipient domain (canonical; ".parent" for every subdomain): overrides of <see cref="Default"/>.</summary>
    public IReadOnlyDictionary<string, SpamDomainPolicy> Domains { get; init; } = new Dictionary<string, SpamDomainPolicy>(StringComparer.Ordinal);

    /// <summary>Pattern rules, in policy order; names are unique.</summary>
    public IReadOnlyList<SpamRulePolicy> Rules { get; init; } = [];

    /// <summary>Absolute path of the classifier model written by `gateway spam train`; null: rules and authentication only.</summary>
    public string? Model { get; init; }

    /// <summary>Where spam.model is written, for a model file that exists but does not load.</summary>
    public PolicyPosition? ModelSource { get; init; }

    /// <summary>clamd for viruses (spam.clamav); null: no virus scanning.</summary>
    public ClamAvPolicy? ClamAv { get; init; }

    /// <summary>rspamd as one more opinion in the score (spam.rspamd); null: not asked.</summary>
    public RspamdPolicy? Rspamd { get; init; }

    /// <summary>True when the default or any domain has an attachment policy.</summary>
    public bool ChecksAttachments => Default.Attachments is not null || Domains.Values.Any(d => d.Attachments is not null);
    /// <summary>DNS block and allow lists asked about the client's address (spam.dnsbl), from CONNECT on.</summary>
    public IReadOnlyList<DnsListPolicy> AddressLists { get; init; } = [];

    /// <summary>Domain lists (RHSBL) asked about the sender's domain and the HELO name (spam.domain_lists).</summary>
    public IReadOnlyList<DnsListPolicy> DomainLists { get; init; } = [];

    /// <summary>URI lists (SURBL/URIBL style) asked about the registrable domains of the message's links (spam.uri_lists).</summary>
    public IReadOnlyList<DnsListPolicy> UriLists { get; init; } = [];

    public ClientCheckScores ClientChecks { get; init; } = new();

    /// <summary>
    /// The sum of the inputs known before DATA (address and domain lists, client checks) at or above which
    /// recipients are refused at RCPT with 554 5.7.1 (spam.reject_score); 0: never, they only add to the score.
    /// </summary>
    public double RejectScore { get; init; }

    /// <summary>How long one list lookup (or the reverse DNS check) may take before it is skipped (spam.lookup_timeout).</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether anything of the session is looked up or checked (lists before DATA, client checks).</summary>
    public bool ChecksClients => AddressLists.Count > 0 || DomainLists.Count > 0 || ClientChecks.NoFcrdns != 0 || ClientChecks.AnyHelo || ClientChecks.Pipelining != 0;

    /// <summary>The settings for one recipient domain: an exact entry, else the closest ".parent" entry, else the default.</summary>
    public SpamDomainPolicy For(string domain) => DomainMap.TryFind(Domains, domain, out var settings) ? settings : Default;
}

/// <summary>What a score means for one recipient domain (spam.threshold/action/subject_prefix, or spam.domains.DOMAIN).</summary>
public sealed record SpamDomainPolicy
{
    public const double DefaultThreshold = 5.0;

    /// <summary>Score at or above which a message is spam.</summary>
    public double Threshold { get; init; } = DefaultThreshold;

    public SpamAction Action { get; init; } = SpamAction.Tag;

    /// <summary>
    /// A second threshold (spam.quarantine_threshold) at or above which the message is quarantined whatever
    /// <see cref="Action"/> says below it: "tag at 5, quarantine at 10". With <see cref="SpamAction.Reject"/> it is
    /// the band below the reject threshold that is quarantined; null: one threshold, one action.
    /// </summary>
    public double? QuarantineThreshold { get; init; }

    /// <summary>Put before the Subject of spam when <see cref="Action"/> is <see cref="SpamAction.Tag"/>; null: the subject stays.</summary>
    public string? SubjectPrefix { get; init; }

    /// <summary>The attachment policy for this domain; null: attachments are not checked.</summary>
    public AttachmentPolicy? Attachments { get; init; }
}

/// <summary>What happens to inbound mail scored at or above its domain's threshold.</summary>
public enum SpamAction
{
    /// <summary>Delivered with X-Spam-Status and X-Spam-Score fields (every scored message gets them) and the subject prefix.</summary>
    Tag,

    /// <summary>550 5.7.1 at the end of DATA: the sender learns at once and nothing is lost silently.</summary>
    Reject,

    /// <summary>Delivered unchanged: the verdict is only logged (for measuring a policy before enforcing it).</summary>
    Deliver,

    /// <summary>
    /// Accepted (250: it is on disk) and kept in the quarantine with its verdict instead of being delivered, until an
    /// administrator releases or deletes it or its retention ends (quarantine.retention).
    /// </summary>
    Quarantine,
}

/// <summary>Which part of the message a rule's pattern reads (spam.rules[].target).</summary>
public enum SpamRuleTargetPolicy
{
    Header,
    Body,
    Raw,
    Uri,
    Attachment,
}

/// <summary>One pattern rule (spam.rules[]): a .NET regular expression, matched case-insensitively, and its points.</summary>
public sealed record SpamRulePolicy
{
    public required string Name { get; init; }

    public required SpamRuleTargetPolicy Target { get; init; }

    /// <summary>For header rules, the field name; null: every field.</summary>
    public string? Header { get; init; }

    public required string Pattern { get; init; }

    public required double Score { get; init; }
}
