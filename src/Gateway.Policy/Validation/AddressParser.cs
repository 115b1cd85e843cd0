using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Policy.Validation;

/// <summary>Reads a bare mailbox written in policy (no display name, no angle brackets, no quoted local part).</summary>
internal static class AddressParser
{
    /// <summary>RFC 5321 4.5.3.1.1: 64 octets per local part.</summary>
    private const int MaxLocalPart = 64;

    /// <summary>Returns null on success with the mailbox (canonical domain), else why the address is invalid.</summary>
    public static string? TryParse(string text, out Mailbox mailbox)
    {
        mailbox = null!;
        if (text.Contains('<', StringComparison.Ordinal) || text.Contains('>', StringComparison.Ordinal))
        {
            return $"'{Echo.Of(text)}': write the bare address (local@domain) without a display name or angle brackets";
        }

        if (!AddrSpec.TrySplit(text, out var local, out var domainText) || local.Length == 0 || domainText.Length == 0)
        {
            return $"'{Echo.Of(text)}' is not an address (local@domain)";
        }

        if (local.Length > MaxLocalPart)
        {
            return $"'{Echo.Of(text)}': the local part is longer than {MaxLocalPart} characters";
        }

        // RFC 5322 3.2.3 dot-atom in ASCII: what every receiving system accepts unquoted.
        if (!DotAtom.IsDotAtom(local, allowUtf8: false))
        {
            return $"'{Echo.Of(text)}': the local part must be a dot-atom of ASCII letters, digits and !#$%&'*+-/=?^_`{{|}}~";
        }

        var problem = DomainNameParser.TryCanonicalize(domainText, requireFullyQualified: false, out var domain);
        if (problem is not null)
        {
            return problem;
        }

        mailbox = new Mailbox(local, domain);
        return null;
    }
}
