using System.Globalization;
using System.Text;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// The command lines an SMTP client sends (RFC 5321 4.1.1), without the CRLF. Parameters are written only as
/// given: the caller decides, from what the server announced, which extensions a transaction may use.
/// </summary>
public static class ClientCommands
{
    public const string StartTls = "STARTTLS";

    public const string Data = "DATA";

    public const string Rset = "RSET";

    public const string Quit = "QUIT";

    /// <summary>RFC 5321 4.1.1.1.</summary>
    public static string Ehlo(string domain) => "EHLO " + domain;

    /// <summary>RFC 5321 4.1.1.1: for servers that do not understand EHLO (RFC 5321 3.2).</summary>
    public static string Helo(string domain) => "HELO " + domain;

    /// <summary>RFC 3030 2: "BDAT" SP chunk-size [SP "LAST"].</summary>
    public static string Bdat(long size, bool last) =>
        string.Create(CultureInfo.InvariantCulture, $"BDAT {size}{(last ? " LAST" : string.Empty)}");

    /// <summary>
    /// MAIL FROM:&lt;path&gt; with SIZE= (RFC 1870), BODY= (RFC 6152), SMTPUTF8 (RFC 6531), ENVID= and RET=
    /// (RFC 3461 4.3, 4.4) as far as <paramref name="parameters"/> carries them. AUTH= is never sent: the
    /// gateway does not authenticate to the next hop. An ENVID that xtext cannot carry is left out.
    /// </summary>
    public static string Mail(string path, MailParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sb = new StringBuilder("MAIL FROM:").Append(path);
        if (parameters.Size is { } size)
        {
            sb.Append(CultureInfo.InvariantCulture, $" SIZE={size}");
        }

        switch (parameters.Body)
        {
            case BodyType.EightBitMime:
                sb.Append(" BODY=8BITMIME");
                break;
            case BodyType.SevenBit:
                sb.Append(" BODY=7BIT");
                break;
        }

        if (parameters.SmtpUtf8)
        {
            sb.Append(" SMTPUTF8");
        }

        if (parameters.RequireTls)
        {
            sb.Append(" REQUIRETLS");
        }

        if (parameters.EnvelopeId is { } envelopeId && XText.Encode(envelopeId, allowUtf8: false) is { } encoded)
        {
            sb.Append(" ENVID=").Append(encoded);
        }

        switch (parameters.Return)
        {
            case DsnReturn.Full:
                sb.Append(" RET=FULL");
                break;
            case DsnReturn.Headers:
                sb.Append(" RET=HDRS");
                break;
        }

        return sb.ToString();
    }

    /// <summary>
    /// RCPT TO:&lt;path&gt; with NOTIFY= and ORCPT= (RFC 3461 4.1, 4.2) as far as <paramref name="parameters"/>
    /// carries them. The ORCPT address is xtext; raw UTF-8 only under <paramref name="smtpUtf8"/> (RFC 6533),
    /// and an address that cannot be written otherwise is left out (ORCPT is optional, RFC 3461 5.2.1).
    /// </summary>
    public static string Rcpt(string path, RecipientParameters parameters, bool smtpUtf8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sb = new StringBuilder("RCPT TO:").Append(path);
        if (parameters.Notify != DsnNotify.None)
        {
            sb.Append(" NOTIFY=").Append(Notify(parameters.Notify));
        }

        if (parameters.OriginalRecipientType is { Length: > 0 } type
            && parameters.OriginalRecipient is { Length: > 0 } original
            && XText.Encode(original, smtpUtf8) is { } encoded)
        {
            sb.Append(" ORCPT=").Append(type).Append(';').Append(encoded);
        }

        return sb.ToString();
    }

    /// <summary>
    /// The path of MAIL or RCPT for an address as the spool keeps it ("local@domain", local part unquoted;
    /// null is the null reverse path). A local part that is not a Dot-string is sent as a Quoted-string (RFC 5321
    /// 4.1.2); the domain goes out exactly as stored. False when the address cannot be written as a path.
    /// </summary>
    public static bool TryFormatPath(string? address, out string path)
    {
        path = string.Empty;
        if (address is null)
        {
            // RFC 5321 4.5.5: the null reverse path, used for delivery notices.
            path = "<>";
            return true;
        }

        // Controls never belong in a path (RFC 5321 4.1.2), and CR or LF would split the command line.
        if (address.Length == 0 || address.Any(char.IsControl))
        {
            return false;
        }

        var at = address.LastIndexOf('@');
        if (at < 0)
        {
            // RFC 5321 4.5.1: "Postmaster" is the only path without a domain.
            if (!address.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            path = "<" + address + ">";
            return true;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        if (local.Length == 0 || domain.Length == 0 || domain.Any(c => c is ' ' or '<' or '>' or '"' or '\\'))
        {
            return false;
        }

        path = "<" + (IsDotString(local) ? local : Quote(local)) + "@" + domain + ">";
        return true;
    }

    /// <summary>RFC 3461 4.1: NEVER alone, or a comma list of SUCCESS, FAILURE and DELAY.</summary>
    private static string Notify(DsnNotify notify)
    {
        if ((notify & DsnNotify.Never) != 0)
        {
            return "NEVER";
        }

        var words = new List<string>(3);
        if ((notify & DsnNotify.Success) != 0)
        {
            words.Add("SUCCESS");
        }

        if ((notify & DsnNotify.Failure) != 0)
        {
            words.Add("FAILURE");
        }

        if ((notify & DsnNotify.Delay) != 0)
        {
            words.Add("DELAY");
        }

        return string.Join(',', words);
    }

    // RFC 5321 4.1.2 atext (RFC 5322 3.2.3), plus any non-ASCII character (RFC 6531 3.3 UTF8-non-ascii).
    private static bool IsAtext(char c) =>
        c > 0x7F || char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    /// <summary>RFC 5321 4.1.2 Dot-string: atoms of atext separated by single dots.</summary>
    private static bool IsDotString(string local)
    {
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        return local.All(c => c == '.' || IsAtext(c));
    }

    /// <summary>RFC 5321 4.1.2 Quoted-string: DQUOTE and backslash as quoted-pairs, the rest as qtextSMTP.</summary>
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
