using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// Recipient verification for our domains (recipients:): for a domain listed here, RCPT for an address that is not
/// in its list is refused with 550 5.1.1 at once, so the gateway never accepts mail the internal server would refuse
/// and never sends the (often forged) sender a failure notice for it (backscatter). A domain not listed accepts any
/// local part, as the internal server decides.
/// </summary>
public sealed record RecipientsPolicy
{
    /// <summary>Per domain (canonical), the known addresses.</summary>
    public IReadOnlyDictionary<string, RecipientList> Domains { get; init; } = new Dictionary<string, RecipientList>(StringComparer.Ordinal);

    /// <summary>
    /// True or false for a domain with a list; null when the domain has none (not verified). postmaster is always
    /// known (RFC 5321 4.5.1).
    /// </summary>
    public bool? IsKnown(Mailbox recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (!Domains.TryGetValue(recipient.Domain.ToLowerInvariant(), out var list))
        {
            return null;
        }

        return recipient.LocalPart.Equals("postmaster", StringComparison.OrdinalIgnoreCase) || list.Contains(recipient.LocalPart);
    }
}

/// <summary>
/// The known local parts of one domain, from a file of addresses (recipients.DOMAIN.file). Compared without regard to
/// case, as the internal servers we front deliver them.
/// </summary>
public sealed record RecipientList(string File, IReadOnlySet<string> LocalParts)
{
    public bool Contains(string localPart) => LocalParts.Contains(localPart);
}
