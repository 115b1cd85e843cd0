using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Gateway.Abstractions;

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

    // RFC 5321 4.5.3.1.2: a domain name is at most 255 octets.
    private const int MaxDomainLength = 255;

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
        if (!IsDomain(hostName) && !IsAddressLiteral(hostName))
        {
            throw new ArgumentException("The host name is not a valid domain or address literal.", nameof(hostName));
        }

        if (!IsAtom(queueId))
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
        var literal = AddressLiteral(envelope.Session.ClientAddress);
        if (helo is not null && (IsDomain(helo) || IsAddressLiteral(helo)))
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
    internal static string TlsVersionName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => SanitizeComment(protocol.ToString()),
    };

    private static string AddressLiteral(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        // RFC 5321 4.1.3: IPv6 literals carry the "IPv6:" tag; the scope id is local and not shown.
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // A copy without the scope id: the session's address must not change under it.
            return "[IPv6:" + new IPAddress(address.GetAddressBytes()).ToString() + "]";
        }

        return "[" + address.ToString() + "]";
    }

    // RFC 5321 4.4: For = "FOR" FWS ( Path / Mailbox ). Returns null when the address cannot be written as
    // a path safely (never expected for an address the SMTP parser accepted; the clause is then dropped).
    private static string? ForPath(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.Length > 512)
        {
            return null;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
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

        if (!IsDotString(local))
        {
            // RFC 5321 4.1.2: a local part that is not a Dot-string is written as a Quoted-string.
            local = "\"" + local.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        }

        return "<" + local + "@" + domain + ">";
    }

    private static bool IsDotString(string local)
    {
        if (local.Length == 0 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            // RFC 6531 3.3 extends atext with UTF-8 non-ASCII characters.
            if (c != '.' && !IsAtext(c) && c <= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAtext(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    private static bool IsAtom(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c > 0x7F || !IsAtext(c))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 5321 4.1.2: Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str].
    internal static bool IsDomain(string value)
    {
        if (value.Length == 0 || value.Length > MaxDomainLength)
        {
            return false;
        }

        foreach (var label in value.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }

    // RFC 5321 4.1.3: "[" IPv4 "]" or "[IPv6:" IPv6 "]" (general literals are not accepted here).
    private static bool IsAddressLiteral(string value)
    {
        if (value.Length < 3 || value.Length > 64 || value[0] != '[' || value[^1] != ']')
        {
            return false;
        }

        var inner = value[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                && !inner.Contains('%', StringComparison.Ordinal);
        }

        return IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork
            && inner.Count(c => c == '.') == 3;
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
