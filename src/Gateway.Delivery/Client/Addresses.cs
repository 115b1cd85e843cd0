using System.Text;
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

        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        var domain = at < 0 ? null : address[(at + 1)..];
        var spec = IsDotAtom(local) ? local : Quote(local);
        if (domain is not null)
        {
            spec += "@" + domain;
        }

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

    // RFC 5322 3.2.3 atext, plus any non-ASCII character (RFC 6532 3.2 UTF8-non-ascii).
    private static bool IsAtext(char c) =>
        c > 0x7F || char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    private static bool IsDotAtom(string local)
    {
        if (local.Length == 0 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (c != '.' && !IsAtext(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Quote(string local)
    {
        var sb = new StringBuilder(local.Length + 2).Append('"');
        foreach (var c in local)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }
}
