using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// Recipient verification and message size per domain of ours (recipients:). For a domain verified here, RCPT for an
/// address its source does not know is refused with 550 5.1.1 at once, so the gateway never accepts mail the internal
/// server would refuse and never sends the (often forged) sender a failure notice for it (backscatter). The source
/// is a list file, an LDAP directory or the internal server itself (call-ahead). A domain not listed, or listed only
/// for its size, accepts any local part, as the internal server decides.
/// </summary>
public sealed record RecipientsPolicy
{
    /// <summary>Per domain (canonical), how its recipients are verified and how large its messages may be.</summary>
    public IReadOnlyDictionary<string, RecipientDomainPolicy> Domains { get; init; } = new Dictionary<string, RecipientDomainPolicy>(StringComparer.Ordinal);

    /// <summary>The settings of the recipient's domain, or null when it has none.</summary>
    public RecipientDomainPolicy? For(Mailbox recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return Domains.GetValueOrDefault(recipient.Domain.ToLowerInvariant());
    }

    /// <summary>
    /// True or false for a domain with a list; null when the domain has none (not verified from a list). postmaster is
    /// always known (RFC 5321 4.5.1).
    /// </summary>
    public bool? IsKnown(Mailbox recipient)
    {
        if (For(recipient)?.List is not { } list)
        {
            return null;
        }

        return IsPostmaster(recipient) || list.Contains(recipient.LocalPart);
    }

    /// <summary>RFC 5321 4.5.1: every domain accepts mail for postmaster, whatever a source says.</summary>
    public static bool IsPostmaster(Mailbox recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return recipient.LocalPart.Equals("postmaster", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// One domain's entry: at most one source of its addresses (<see cref="List"/>, <see cref="Ldap"/>,
/// <see cref="CallAhead"/>), and its own message size limit.
/// </summary>
public sealed record RecipientDomainPolicy
{
    /// <summary>The known addresses, from a file (recipients.DOMAIN.file).</summary>
    public RecipientList? List { get; init; }

    /// <summary>An address is known when the directory has an entry its filter matches (recipients.DOMAIN.ldap).</summary>
    public LdapPolicy? Ldap { get; init; }

    /// <summary>An address is known when the domain's internal server accepts it at RCPT (recipients.DOMAIN.call_ahead).</summary>
    public CallAheadPolicy? CallAhead { get; init; }

    /// <summary>
    /// The largest message the domain takes (recipients.DOMAIN.max_message_size); null: what call-ahead learned from
    /// the internal server's EHLO SIZE, else limits.message_size.
    /// </summary>
    public long? MaxMessageSize { get; init; }

    /// <summary>True when RCPT asks a source outside the policy (LDAP or the internal server).</summary>
    public bool VerifiedRemotely => Ldap is not null || CallAhead is not null;
}

/// <summary>
/// The known local parts of one domain, from a file of addresses (recipients.DOMAIN.file). Compared without regard to
/// case, as the internal servers we front deliver them.
/// </summary>
public sealed record RecipientList(string File, IReadOnlySet<string> LocalParts)
{
    public bool Contains(string localPart) => LocalParts.Contains(localPart);
}

/// <summary>
/// Recipient verification by asking the domain's internal server (its delivery route): EHLO, MAIL FROM:&lt;&gt;,
/// RCPT TO, RSET, QUIT, on a connection of its own with a short timeout; answers cached per address.
/// </summary>
public sealed record CallAheadPolicy
{
    /// <summary>For the whole check: connect, greeting, every reply.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long "the server accepts this address" is reused.</summary>
    public TimeSpan CacheFound { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long "the server refuses this address" is reused.</summary>
    public TimeSpan CacheNotFound { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks of this domain at the same time; an RCPT that finds no free slot within the timeout is told 451.</summary>
    public int Concurrency { get; init; } = 10;

    /// <summary>A stable text of every setting, so a reload that changes nothing keeps the cache.</summary>
    public string Identity => string.Join("\n", Timeout.Ticks, CacheFound.Ticks, CacheNotFound.Ticks, Concurrency);
}
