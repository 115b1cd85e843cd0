using System.Net;
using Gateway.Syntax;

namespace Gateway.Spam.Reputation;

/// <summary>
/// Judges the HELO/EHLO argument. The session accepts any printable token (RFC 5321 4.1.4: a server must not refuse
/// mail over a HELO that does not match), so what a spam engine makes of it is a score, not a refusal.
/// </summary>
public static class HeloCheck
{
    // Underscores and U-labels occur in real greetings (Windows host names, SMTPUTF8 clients) and are no sign of spam;
    // a single label ("localhost", "WIN-7H3K") is not the FQDN RFC 5321 2.3.5 asks for.
    private const DomainNameOptions Lenient = DomainNameOptions.AllowUnderscore | DomainNameOptions.AllowUnicode | DomainNameOptions.RequireMultipleLabels;

    /// <param name="helo">The argument as given; null or empty when the client never greeted (nothing is judged).</param>
    /// <param name="client">The client's address.</param>
    /// <param name="local">Our address the client connected to.</param>
    /// <param name="ourNames">Our host name and domains, canonical (lower-case A-labels).</param>
    public static HeloFindings Evaluate(string? helo, IPAddress client, IPAddress local, IReadOnlyCollection<string> ourNames)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(ourNames);
        if (string.IsNullOrEmpty(helo))
        {
            return HeloFindings.None;
        }

        client = Plain(client);
        local = Plain(local);
        if (AddressLiteral.TryParse(helo, out var claimed))
        {
            claimed = Plain(claimed);
            if (claimed.Equals(client))
            {
                return HeloFindings.None;
            }

            // A client that is not us naming our address; a client on our own host (client == local) is caught above.
            return claimed.Equals(local) ? HeloFindings.IsOurs | HeloFindings.LiteralMismatch : HeloFindings.LiteralMismatch;
        }

        if (DomainName.TryCanonicalize(helo, Lenient, out var name) != DomainNameError.None)
        {
            return HeloFindings.Invalid;
        }

        return ourNames.Contains(name, StringComparer.Ordinal) ? HeloFindings.IsOurs : HeloFindings.None;
    }

    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
