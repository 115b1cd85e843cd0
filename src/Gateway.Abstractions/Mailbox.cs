namespace Gateway.Abstractions;

/// <summary>
/// An RFC 5321 mailbox as the gateway understands it after parsing a MAIL or RCPT path.
/// Source routes are already dropped (RFC 5321 4.1.1.3 / C: they are ignored, never followed).
/// </summary>
/// <param name="LocalPart">The local part exactly as received, unquoted (quoted-pairs resolved).</param>
/// <param name="Domain">
/// Canonical domain: lower-case ASCII, IDN U-labels converted to A-labels (RFC 5890), no trailing dot;
/// for an address literal the bracketed literal in canonical form (e.g. "[192.0.2.1]", "[IPv6:2001:db8::1]").
/// Empty only for the special RCPT TO:&lt;Postmaster&gt; (RFC 5321 4.5.1).
/// </param>
/// <param name="IsAddressLiteral">True when the domain is an address literal such as [192.0.2.1].</param>
/// <param name="LocalPartWasQuoted">True when the local part arrived as an RFC 5321 Quoted-string.</param>
public sealed record Mailbox(string LocalPart, string Domain, bool IsAddressLiteral = false, bool LocalPartWasQuoted = false)
{
    /// <summary>True for the bare "Postmaster" recipient without a domain (RFC 5321 4.5.1).</summary>
    public bool IsBarePostmaster => Domain.Length == 0;

    /// <summary>
    /// True when the local part contains characters that some mail systems treat as routing
    /// (percent hack "u%host", UUCP bang paths "host!u", or an '@' hidden in a quoted local part).
    /// RFC 5321 2.3.11 says only the destination host may interpret a local part; a gateway in front of
    /// such hosts must not let these forms reach them from untrusted clients.
    /// </summary>
    public bool LocalPartHasRoutingCharacters =>
        LocalPart.Contains('%', StringComparison.Ordinal)
        || LocalPart.Contains('!', StringComparison.Ordinal)
        || LocalPart.Contains('@', StringComparison.Ordinal);

    /// <summary>True when the local part holds anything outside ASCII (needs SMTPUTF8, RFC 6531).</summary>
    public bool HasNonAsciiLocalPart
    {
        get
        {
            foreach (var c in LocalPart)
            {
                if (c > 0x7F)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public override string ToString() => IsBarePostmaster ? LocalPart : $"{LocalPart}@{Domain}";
}
