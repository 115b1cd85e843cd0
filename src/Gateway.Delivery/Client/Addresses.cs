using Gateway.Syntax;
using MimeKit;

namespace Gateway.Delivery.Client;

/// <summary>Builds MailKit mailboxes from spooled addresses ("local@domain", local part unquoted).</summary>
internal static class Addresses
{
    /// <summary>
    /// The mailbox for an address as the spool stores it. A local part that is not a dot-atom is quoted again
    /// (RFC 5321 4.1.2 Quoted-string) so MimeKit parses it back to the same local part.
    /// </summary>
    public static bool TryCreate(string address, out MailboxAddress mailbox)
    {
        // Control characters never belong in a path (RFC 5321 4.1.2) and CR/LF would split the command line.
        if (address.Length == 0 || address.Any(c => char.IsControl(c)))
        {
            mailbox = null!;
            return false;
        }

        var spec = AddrSpec.TrySplit(address, out var local, out var domain) ? AddrSpec.Format(local, domain) : AddrSpec.FormatLocalPart(local);

        try
        {
            mailbox = new MailboxAddress(string.Empty, spec);
            return true;
        }
        catch (ParseException)
        {
            mailbox = null!;
            return false;
        }
    }
}
