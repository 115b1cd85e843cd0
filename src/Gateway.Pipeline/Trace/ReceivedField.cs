using System.Net;
using System.Security.Authentication;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Pipeline.Trace;

/// <summary>
/// Builds the trace field the gateway prepends to each message it accepts (RFC 5321 4.4).
/// </summary>
internal static class ReceivedField
{
    // RFC 5322 2.1.1: lines SHOULD be no more than 78 characters, excluding the CRLF.
    private const int MaxLineLength = 78;

    // The HELO argument is chosen by the client: it is shown only as a bounded comment when it is not a
    // valid domain, so a hostile client cannot inject fields or make the line unbounded.
    private const int MaxHeloCommentLength = 64;

    // The queue id appears as an atom in the ID clause; ours are short.
    private const int MaxQueueIdLength = 64;

    /// <summary>
    /// Returns the complete <c>Received:</c> field, folded at 78 characters, ending with CRLF.
    /// </summary>
    /// <param name="envelope">The envelope of the message (HELO, client address, TLS, AUTH, recipients).</param>
    /// <param name="queueId">The queue id the message is stored under.</param>
    /// <param name="hostName">Our host name (the "by" domain).</param>
    /// <param name="at">When the message was received (RFC 5322 date-time, in this offset).</param>
    public static string Build(Envelope envelope, string queueId, string hostName, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(hostName);
        if (!DomainName.IsValid(hostName) && !AddressLiteral.TryParse(hostName, out _))
        {
            throw new ArgumentException("The host name is not a valid domain or address literal.", nameof(hostName));
        }

        if (queueId.Length > MaxQueueIdLength || !DotAtom.IsAtom(queueId, allowUtf8: false))
        {
            throw new ArgumentException("The queue id is not an atom.", nameof(queueId));
        }

        var units = new List<string> { "Received:" };
        AddFromClause(units, envelope);
        units.Add("by " + hostName);
        units.Add("(Gateway)");
        units.Add("with " + ProtocolName(envelope));
        AddTlsComment(units, envelope);
        units.Add("id " + queueId);

        // RFC 5321 4.4: the FOR clause names one recipient; with several it would disclose the others
        // (Postfix and Exim add it only for a single recipient).
        var forPath = envelope.Recipients.Count == 1 ? ForPath(envelope.Recipients[0].Address.ToString()) : null;
        if (forPath is not null)
        {
            units.Add("for " + forPath + ";");
        }
        else
        {
            units[^1] += ";";
        }

        units.Add(MailDate.Format(at));
        return Fold(units);
    }

    /// <summary>
    /// The RFC 3848 protocol name (with the RFC 6531 3.7.3 UTF8SMTP variants when SMTPUTF8 was used).
    /// </summary>
    internal static string ProtocolName(Envelope envelope)
    {
        var tls = envelope.Session.Tls is not null;
        var auth = envelope.Session.IsAuthenticated;
        var suffix = (tls ? "S" : string.Empty) + (auth ? "A" : string.Empty);
        if (envelope.MailParameters.SmtpUtf8)
        {
            return "UTF8SMTP" + suffix;
        }

        // RFC 3848 2: "SMTP" is used when the client greeted with HELO; TLS and AUTH imply EHLO.
        if (suffix.Length == 0 && envelope.Session.Greeting == GreetingKind.Helo)
        {
            return "SMTP";
        }

        return "ESMTP" + suffix;
    }

    private static void AddFromClause(List<string> units, Envelope envelope)
    {
        var helo = envelope.Session.HeloName;
        var literal = ClientLiteral(envelope.Session.ClientAddress);
        if (helo is not null && (DomainName.IsValid(helo) || AddressLiteral.TryParse(helo, out _)))
        {
            // RFC 5321 4.4: Extended-Domain = Domain FWS "(" TCP-info ")".
            units.Add("from " + helo + " (" + literal + ")");
            return;
        }

        // No usable HELO: the FROM clause names the address (followed by its TCP-info, RFC 5321 4.4).
        units.Add("from " + literal + " (" + literal + ")");
        if (!string.IsNullOrEmpty(helo))
        {
            // A comment inside the CFWS before BY: only visible ASCII, no parentheses or backslash.
            units.Add("(helo=" + SanitizeComment(helo) + ")");
        }
    }

    private static void AddTlsComment(List<string> units, Envelope envelope)
    {
        if (envelope.Session.Tls is not { } tls)
        {
            return;
        }

        units.Add("(using " + TlsVersionName(tls.Protocol) + " with cipher " + SanitizeComment(tls.CipherSuite.ToString()) + ")");
    }

    // Mail admins read the OpenSSL spelling ("TLSv1.3") rather than the SslProtocols name ("Tls13").
    internal static string TlsVersionName(SslProtocols protocol) => SanitizeComment(TlsFacts.NameOf(protocol));

    // A client on a dual-stack socket is shown as the IPv4 address it has.
    private static string ClientLiteral(IPAddress address) =>
        AddressLiteral.Format(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    // RFC 5321 4.4: For = "FOR" FWS ( Path / Mailbox ). Returns null when the address cannot be written as
    // a path safely (never expected for an address the SMTP parser accepted; the clause is then dropped).
    private static string? ForPath(string address)
    {
        if (address.Length > 512 || !AddrSpec.TrySplit(address, out var local, out var domain) || local.Length == 0 || domain.Length == 0)
        {
            return null;
        }

        foreach (var c in address)
        {
            if (char.IsControl(c) || c == '<' || c == '>' || char.IsWhiteSpace(c) && c != ' ')
            {
                return null;
            }
        }

        if (domain.Contains(' ', StringComparison.Ordinal) || domain.Contains('(', StringComparison.Ordinal))
        {
            return null;
        }

        // RFC 5321 4.1.2: a local part that is not a Dot-string is written as a Quoted-string.
        return "<" + AddrSpec.Format(local, domain) + ">";
    }

    // Keeps visible ASCII except the comment delimiters; anything else becomes '?'; bounded length.
    internal static string SanitizeComment(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxHeloCommentLength + 3));
        foreach (var c in value)
        {
            if (builder.Length == MaxHeloCommentLength)
            {
                builder.Append("...");
                break;
            }

            builder.Append(c is > ' ' and < (char)0x7F and not '(' and not ')' and not '\\' ? c : '?');
        }

        return builder.ToString();
    }

    // RFC 5322 2.2.3: fold by inserting CRLF before existing whitespace; continuation lines start with a tab.
    // A unit ("with ESMTPS") stays on one line when it fits on one; a longer unit is folded at its spaces.
    private static string Fold(List<string> units)
    {
        var builder = new StringBuilder(256);
        var lineLength = 0;
        foreach (var unit in units)
        {
            var words = unit.Length + 1 < MaxLineLength ? [unit] : unit.Split(' ');
            foreach (var word in words)
            {
                if (lineLength == 0)
                {
                    builder.Append(word);
                    lineLength = word.Length;
                }
                else if (lineLength + 1 + word.Length > MaxLineLength)
                {
                    builder.Append("\r\n\t").Append(word);
                    lineLength = 1 + word.Length;
                }
                else
                {
                    builder.Append(' ').Append(word);
                    lineLength += 1 + word.Length;
                }
            }
        }

        return builder.Append("\r\n").ToString();
    }
}
