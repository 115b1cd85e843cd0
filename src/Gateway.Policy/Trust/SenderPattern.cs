using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// One entry of a login's sender list: an exact address ("alice@example.com"), every address of a domain
/// ("@example.com"), or any address ("*", for a trusted application that sends on behalf of everyone).
/// </summary>
/// <param name="LocalPart">The local part of an exact address; null for a domain or any address.</param>
/// <param name="Domain">The canonical domain (lower-case A-labels); null for any address.</param>
public sealed record SenderPattern(string? LocalPart, string? Domain)
{
    public static SenderPattern Any { get; } = new(null, null);

    /// <summary>
    /// Whether the address falls under this entry. Domains compare in canonical form; local parts without regard to
    /// ASCII case, since the systems behind us treat "Alice" and "alice" as one mailbox (RFC 5321 2.4 leaves that to
    /// them) and a login that owns one spelling owns the other.
    /// </summary>
    public bool Matches(Mailbox address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Domain is null)
        {
            return true;
        }

        if (!string.Equals(Domain, address.Domain, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return LocalPart is null || string.Equals(LocalPart, address.LocalPart, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => Domain is null ? "*" : LocalPart is null ? "@" + Domain : LocalPart + "@" + Domain;
}
