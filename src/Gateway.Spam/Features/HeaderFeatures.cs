using Gateway.Spam.Scanning;
using MimeKit;

namespace Gateway.Spam.Features;

/// <summary>
/// Header features, each prefixed by its field name: addresses by domain and display name, relays by host and
/// network, the mailer, the declared content type and charset, and the words of the remaining fields with digits
/// folded (so that dates and ids do not become one-off tokens). Fields that filters add themselves are ignored, so
/// that a message scored twice, or trained on after another filter saw it, is judged on its own content.
/// </summary>
internal static class HeaderFeatures
{
    private const int MaxWordsPerField = 12;
    private const int MaxRelays = 8;

    /// <summary>
    /// Received fields searched for a host: more than any real path has, and a bound on the cost of a message that
    /// repeats the field thousands of times.
    /// </summary>
    private const int MaxTraceFields = 32;

    private static readonly System.Buffers.SearchValues<char> ProtocolEnd = System.Buffers.SearchValues.Create(" \t\r\n;(");

    public static void Add(IReadOnlyList<HeaderText> headers, TokenSink sink)
    {
        var relays = 0;
        var messageIds = 0;
        // The length of the relay chain: a direct-to-MX bulk sender and a mailing list behind two relays differ in
        // shape, whatever their hosts are called.
        sink.Add("h:rcvd:hops:", Bucket(headers.Count(h => h.Name.Equals("Received", StringComparison.OrdinalIgnoreCase) && !IsLocalHop(h.Value))));

        foreach (var (field, value) in headers)
        {
            var name = field.ToLowerInvariant();
            if (IsFilterField(name))
            {
                continue;
            }

            if (name.StartsWith("list-", StringComparison.Ordinal))
            {
                // RFC 2369 and 2919 fields all say one thing, that a mailing list sent the message, and mostly in the
                // same words; learned field by field they would count that one fact six times.
                name = "list-*";
            }

            sink.Add("hn:", name);
            switch (name)
            {
                case "from" or "to" or "cc" or "reply-to" or "sender" or "return-path" or "errors-to":
                    AddAddresses(name, value, sink);
                    break;
                case "received":
                    if (relays++ < MaxRelays)
                    {
                        AddRelay(value, sink);
                    }

                    break;
                case "content-type":
                    AddContentType(value, sink);
                    break;
                case "x-mailer" or "user-agent":
                    // The program without its version, which changes with every release and which bulk mailers fake.
                    sink.Add("h:mailer:", FoldDigits(value.AsSpan(0, Math.Min(value.Length, 40))));
                    AddWords("h:mailer:w:", value, sink);
                    break;
                case "message-id":
                    var at = value.LastIndexOf('@');
                    var idDomain = at < 0 ? "no-at" : value.AsSpan(at + 1).Trim().Trim('>').ToString().ToLowerInvariant();
                    // An id written by a relay (the sender's program wrote none) names the relay, not the sender: that
                    // the relay wrote it is the evidence, and HeaderShapeFeatures says so once.
                    if (at < 0 || messageIds++ > 0 || !IsRelayHost(headers, idDomain))
                    {
                        sink.Add("h:mid:", idDomain);
                    }

                    break;
                case "date" or "subject":
                    // Dates say when the message was written, which is no evidence; the subject has its own features.
                    break;
                default:
                    AddWords("h:" + name + ":", value, sink);
                    break;
            }
        }
    }

    /// <summary>
    /// Fields added after the message left the gateway's view: by filters, by final delivery, or by the reader's mail
    /// client when it saved the message to a mailbox. A gateway never sees them, so a model must not lean on them.
    /// </summary>
    private static bool IsFilterField(string name) =>
        name.StartsWith("x-spam", StringComparison.Ordinal)
        || name is "delivered-to" or "x-original-to" or "status" or "x-status" or "x-keywords" or "x-uid" or "content-length"
        || name is "delivery-date" or "x-delivered-to" or "x-mail-from" or "x-sieve" or "x-mime-autoconverted"
        || name.StartsWith("x-mozilla-", StringComparison.Ordinal) || name.StartsWith("x-evolution", StringComparison.Ordinal) || name == "x-eudora2unix";

    private static void AddAddresses(string name, string value, TokenSink sink)
    {
        if (!InternetAddressList.TryParse(value, out var list))
        {
            sink.Add("h:" + name + ":", "unparsable");
            return;
        }

        var count = 0;
        foreach (var mailbox in list.Mailboxes)
        {
            if (++count > 10)
            {
                break;
            }

            var address = mailbox.Address.ToLowerInvariant();
            var at = address.LastIndexOf('@');
            sink.Add("h:" + name + ":dom:", at < 0 ? "none" : address.AsSpan(at + 1));
            if (name is not ("to" or "cc"))
            {
                // A recipient's own address is the same on all the mail it gets, ham or spam: learned from one
                // mailbox it only tells that mailbox apart, and teaches nothing about other recipients.
                sink.Add("h:" + name + ":addr:", address);
                sink.Add("h:" + name + ":local:", Shape(at < 0 ? address : address[..at]));
            }
            if (string.IsNullOrWhiteSpace(mailbox.Name))
            {
                sink.Add("h:" + name + ":noname");
            }
            else
            {
                // A display name that carries an address other than the real one is a classic disguise.
                var display = mailbox.Name;
                sink.Add("h:" + name + ":name-at:", display.Contains('@', StringComparison.Ordinal) ? (display.Contains(address, StringComparison.OrdinalIgnoreCase) ? "same" : "other") : "none");
                AddWords("h:" + name + ":name:", display, sink);
            }
        }

        sink.Add("h:" + name + ":count:", Bucket(list.Count));
    }

    private static void AddRelay(string value, TokenSink sink)
    {
        // RFC 5321 4.4: "from" names the sending side as the receiver saw it, "by" the receiver. The receiver of the
        // last hop is the recipient's own MX, the same for all its mail, so only the from clause is evidence.
        if (IsLocalHop(value))
        {
            return;
        }

        var from = FromClause(value);
        foreach (var range in from.AsSpan().SplitAny(" \t\r\n()[];"))
        {
            var word = from.AsSpan(range).Trim('.');
            if (word.Length < 3)
            {
                continue;
            }

            // Strictly a dotted quad: the lenient parser reads version numbers ("1.0", "8.12") as addresses.
            if (Gateway.Syntax.IPAddressText.TryParseIPv4(word, out var ip))
            {
                // The /24 rather than the address: spam comes from networks, and addresses are one-off.
                var bytes = ip.GetAddressBytes();
                sink.Add("h:rcvd:net:", $"{bytes[0]}.{bytes[1]}.{bytes[2]}");
            }
            else if (word.Contains('.') && !word.Contains('@') && char.IsLetter(word[^1]))
            {
                sink.Add("h:rcvd:dom:", LastLabels(word.ToString().ToLowerInvariant(), 2));
            }
        }

        AddRelayShape(from, sink);

        // The protocol the hop used ("with ESMTPA", "with HTTP" from webmail) describes the sender's side.
        var with = value.IndexOf(" with ", StringComparison.OrdinalIgnoreCase);
        if (with >= 0)
        {
            var protocol = value.AsSpan(with + 6).TrimStart();
            var end = protocol.IndexOfAny(ProtocolEnd);
            protocol = end < 0 ? protocol : protocol[..end];
            if (protocol.Length is > 0 and <= 12)
            {
                sink.Add("h:rcvd:w:", protocol.ToString().ToUpperInvariant());
            }
        }
    }

    /// <summary>
    /// How the sending host of a hop presented itself, whatever it is called: a bare or literal HELO, an address
    /// without a name, or a name that spells out its address (dial-up and broadband pools, where bulk mail is sent from
    /// hijacked machines). Sendmail and Postfix write "from HELO (name [ip])", Exim "from name ([ip] helo=HELO)".
    /// </summary>
    private static void AddRelayShape(string from, TokenSink sink)
    {
        var clause = from.AsSpan().Trim();
        if (!clause.StartsWith("from ", StringComparison.OrdinalIgnoreCase))
        {
            // No sending host at all: a program on the relay itself handed the message in ("(qmail 5065 invoked by
            // uid 507)", "by host (Postfix, from userid 0)").
            sink.Add("h:rcvd:helo:local");
            return;
        }

        clause = clause[5..].TrimStart();

        var space = clause.IndexOfAny(" \t\r\n(");
        var first = (space < 0 ? clause : clause[..space]).Trim("[]");
        sink.Add("h:rcvd:helo:", Gateway.Syntax.IPAddressText.TryParseIPv4(first, out _) ? "ip" : first.Contains('.') ? "name" : "bare");

        var rest = space < 0 ? [] : clause[space..];
        var open = rest.IndexOf('(');
        var name = ReadOnlySpan<char>.Empty;
        if (open >= 0)
        {
            var inner = rest[(open + 1)..];
            var end = inner.IndexOfAny("[)");
            name = (end < 0 ? inner : inner[..end]).Trim();
        }

        sink.Add("h:rcvd:rdns:", name.IsEmpty || name.StartsWith("helo=", StringComparison.OrdinalIgnoreCase) ? "none"
            : name.Contains("unknown", StringComparison.OrdinalIgnoreCase) ? "unknown"
            : name.Equals(first, StringComparison.OrdinalIgnoreCase) ? "same" : "other");
        if (SpellsAddress(first) || SpellsAddress(name))
        {
            sink.Add("h:rcvd:pool");
        }
    }

    /// <summary>A host name with three or more runs of digits ("host213-122-181-128", "adsl-66-1-2-3.example").</summary>
    private static bool SpellsAddress(ReadOnlySpan<char> name)
    {
        var runs = 0;
        var inDigits = false;
        foreach (var c in name)
        {
            var digit = char.IsAsciiDigit(c);
            runs += digit && !inDigits ? 1 : 0;
            inDigits = digit;
        }

        return runs >= 3 && !Gateway.Syntax.IPAddressText.TryParseIPv4(name, out _);
    }

    /// <summary>
    /// A hop between local programs (loopback) or a retrieval after delivery (IMAP, POP): not part of the transfer a
    /// gateway sees.
    /// </summary>
    private static bool IsLocalHop(string value)
    {
        var from = FromClause(value);
        return from.Contains("127.0.0.1", StringComparison.Ordinal) || from.Contains("localhost", StringComparison.OrdinalIgnoreCase)
            || value.Contains(" with IMAP", StringComparison.OrdinalIgnoreCase) || value.Contains(" with POP", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether a relay on the way names a host under <paramref name="domain"/> as the one it received the message from
    /// (its name as it said hello or as its address resolves): a sender's own servers handed it on.
    /// </summary>
    internal static bool RelayedFrom(IReadOnlyList<HeaderText> headers, string domain)
    {
        foreach (var value in TraceFields(headers))
        {
            if (IsLocalHop(value))
            {
                continue;
            }

            var from = FromClause(value);
            foreach (var range in from.AsSpan().SplitAny(" \t\r\n()[];="))
            {
                var word = from.AsSpan(range).Trim('.');
                if (word.Length > domain.Length && word.EndsWith(domain, StringComparison.OrdinalIgnoreCase) && word[^(domain.Length + 1)] == '.'
                    || word.Equals(domain, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="host"/> is the receiving host ("by") of one of the Received fields.</summary>
    internal static bool IsRelayHost(IReadOnlyList<HeaderText> headers, ReadOnlySpan<char> host)
    {
        foreach (var value in TraceFields(headers))
        {
            var by = value.IndexOf(" by ", StringComparison.OrdinalIgnoreCase);
            if (by < 0)
            {
                continue;
            }

            var rest = value.AsSpan(by + 4).TrimStart();
            var end = rest.IndexOfAny(ProtocolEnd);
            if (rest[..(end < 0 ? rest.Length : end)].Equals(host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Received fields' values, newest first, at most <see cref="MaxTraceFields"/> of them.</summary>
    private static IEnumerable<string> TraceFields(IReadOnlyList<HeaderText> headers)
    {
        var read = 0;
        foreach (var (name, value) in headers)
        {
            if (!name.Equals("Received", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (++read > MaxTraceFields)
            {
                yield break;
            }

            yield return value;
        }
    }

    private static string FromClause(string received)
    {
        var by = received.IndexOf(" by ", StringComparison.OrdinalIgnoreCase);
        return by < 0 ? received : received[..by];
    }

    private static void AddContentType(string value, TokenSink sink)
    {
        if (!ContentType.TryParse(value, out var type))
        {
            sink.Add("h:ct:unparsable");
            return;
        }

        sink.Add("h:ct:", type.MimeType.ToLowerInvariant());
        sink.Add("h:ct:charset:", (type.Charset ?? "none").ToLowerInvariant());
        if (type.Boundary is { } boundary)
        {
            sink.Add("h:ct:boundary:", Shape(boundary));
        }
    }

    private static void AddWords(string prefix, string value, TokenSink sink)
    {
        var words = 0;
        foreach (var range in value.AsSpan().SplitAny(" \t\r\n,;<>\"()"))
        {
            var word = value.AsSpan(range);
            if (word.Length == 0)
            {
                continue;
            }

            if (++words > MaxWordsPerField)
            {
                break;
            }

            sink.Add(prefix, word.Length > 30 ? Shape(word) : FoldDigits(word));
        }
    }

    internal static string LastLabels(string host, int count)
    {
        var end = host.Length;
        for (var i = 0; i < count; i++)
        {
            var dot = host.LastIndexOf('.', end - 1);
            if (dot < 0)
            {
                return host;
            }

            end = dot;
            if (end == 0)
            {
                return host;
            }
        }

        return host[(end + 1)..];
    }

    internal static string FoldDigits(ReadOnlySpan<char> word)
    {
        Span<char> buffer = stackalloc char[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            buffer[i] = char.IsAsciiDigit(word[i]) ? '#' : word[i];
        }

        return buffer.ToString();
    }

    /// <summary>The character classes of a string, run-length capped: "Part_123_ABCdef" becomes "Aa_d_Aa".</summary>
    internal static string Shape(ReadOnlySpan<char> value)
    {
        var shape = new System.Text.StringBuilder(16);
        var last = '\0';
        foreach (var c in value)
        {
            var cls = char.IsAsciiDigit(c) ? 'd' : char.IsAsciiLetterUpper(c) ? 'A' : char.IsAsciiLetterLower(c) ? 'a' : c;
            if (cls != last && shape.Length < 24)
            {
                shape.Append(cls);
            }

            last = cls;
        }

        return shape.ToString();
    }

    private static string Shape(string value) => Shape(value.AsSpan());

    internal static string Bucket(int count) => count switch
    {
        0 => "0",
        1 => "1",
        < 5 => "2-4",
        < 10 => "5-9",
        < 50 => "10-49",
        _ => "50+",
    };
}
