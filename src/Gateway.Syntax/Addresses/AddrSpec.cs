namespace Gateway.Syntax;

/// <summary>
/// Addresses in the form the gateway stores them: "local@domain" with the local part unquoted (quoted-pairs
/// resolved), as RFC 5322 3.4.1 addr-spec and RFC 5321 4.1.2 Mailbox name their two halves.
/// </summary>
public static class AddrSpec
{
    /// <summary>
    /// Splits at the last '@': a domain never holds one, an unquoted local part may ("\"a@b\"@example.com" is
    /// stored as a@b@example.com). False when there is no '@'.
    /// </summary>
    public static bool TrySplit(string address, out string localPart, out string domain)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        if (at < 0)
        {
            localPart = address;
            domain = string.Empty;
            return false;
        }

        localPart = address[..at];
        domain = address[(at + 1)..];
        return true;
    }

    /// <summary>The local part: everything before the last '@', or the whole text without one (RFC 5321 4.5.1 "Postmaster").</summary>
    public static string LocalPartOf(string address)
    {
        TrySplit(address, out var localPart, out _);
        return localPart;
    }

    /// <summary>The domain after the last '@'; empty without one.</summary>
    public static string DomainOf(string address)
    {
        TrySplit(address, out _, out var domain);
        return domain;
    }

    /// <summary>
    /// The local part as written in a path or header: as is when it is a dot-atom (RFC 6531 3.3: UTF-8 allowed),
    /// else as a quoted string (RFC 5321 4.1.2: a local part that is not a Dot-string is a Quoted-string).
    /// </summary>
    public static string FormatLocalPart(string localPart) =>
        DotAtom.IsDotAtom(localPart, allowUtf8: true) ? localPart : QuotedString.Quote(localPart);

    /// <summary>"local@domain" with the local part quoted when it needs to be (see <see cref="FormatLocalPart"/>).</summary>
    public static string Format(string localPart, string domain) => FormatLocalPart(localPart) + "@" + domain;
}
