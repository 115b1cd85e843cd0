using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// RFC 5321 4.1.2 Path grammar, as the open-relay guard needs it: one unambiguous mailbox per path.
/// </summary>
/// <remarks>
/// <para>What each form means:</para>
/// <list type="bullet">
/// <item>Source routes (A-d-l, "@a,@b:user@c") are accepted and dropped (RFC 5321 4.1.1.3, appendix C): the
/// mailbox is user@c, the last hop. So "@ours.example:victim@evil.example" is victim@evil.example and the relay
/// decision sees evil.example. The route's domains must still be valid domains.</item>
/// <item>Local part: a Dot-string of RFC 5321 atext (no leading, trailing or double dot) or a Quoted-string
/// (quoted-pairs resolved, <see cref="Mailbox.LocalPartWasQuoted"/> set). '%' and '!' are atext and parse; a
/// quoted '@' parses too: <see cref="Mailbox.LocalPartHasRoutingCharacters"/> lets policy refuse them. An
/// empty quoted local part ("") is refused: no mail system gives it a meaning. No length limit of its own: the
/// 64 octets of RFC 5321 4.5.3.1.1 are what a server must take, and 4.5.3.1 asks for no limits where possible
/// (VERP and SRS return paths are often longer; Postfix takes them); the path limit bounds it.</item>
/// <item>A second unquoted '@' ("a@b@c") is a syntax error.</item>
/// <item>Domain: <see cref="DomainName"/> rules, LDH labels of 1-63 octets, at most 253 in total (what DNS can
/// carry), canonical lower-case ASCII; with SMTPUTF8 U-labels become A-labels (IdnMapping, STD3 rules), "xn--"
/// labels must decode. A trailing root dot, an all-numeric top-level label (a bare dotted quad) and non-ASCII
/// without SMTPUTF8 are refused.</item>
/// <item>Address literals "[192.0.2.1]" and "[IPv6:2001:db8::1]" are canonicalised (strict dotted quad, no
/// leading zeros; IPv6 in RFC 5952 form); General-address-literals are refused.</item>
/// <item>The bare "Postmaster" recipient is not a path: the RCPT parser handles it (RFC 5321 4.5.1).</item>
/// </list>
/// </remarks>
public static class PathParser
{
    /// <summary>
    /// Parses the text between '&lt;' and '&gt;' (without the brackets; the null path is the caller's business).
    /// </summary>
    /// <param name="path">The path text.</param>
    /// <param name="allowUtf8">SMTPUTF8 is in effect (RFC 6531 3.3): UTF-8 local parts and U-labels allowed.</param>
    /// <param name="maxPathLength">Limit in octets including the two brackets (RFC 5321 4.5.3.1.3: 256).</param>
    /// <param name="mailbox">The mailbox when the result is <see cref="AddressError.None"/>, else null.</param>
    public static AddressError TryParseMailbox(ReadOnlySpan<char> path, bool allowUtf8, int maxPathLength, out Mailbox? mailbox)
    {
        mailbox = null;
        if (path.IsEmpty)
        {
            return AddressError.Syntax;
        }

        if (!Ascii.IsValid(path))
        {
            if (!allowUtf8)
            {
                return AddressError.NonAscii;
            }

            if (!IsCleanUnicode(path))
            {
                return AddressError.Syntax;
            }
        }

        // RFC 5321 4.5.3.1.3: the limit counts the angle brackets.
        if (Encoding.UTF8.GetByteCount(path) + 2 > maxPathLength)
        {
            return AddressError.TooLong;
        }

        var rest = path;
        if (rest[0] == '@')
        {
            var routeError = SkipSourceRoute(ref rest, allowUtf8);
            if (routeError != AddressError.None)
            {
                return routeError;
            }
        }

        return ParseMailbox(rest, allowUtf8, out mailbox);
    }

    /// <summary>RFC 5321 4.1.2 A-d-l = At-domain *( "," At-domain ) ":" — validated, then ignored (4.1.1.3).</summary>
    private static AddressError SkipSourceRoute(ref ReadOnlySpan<char> rest, bool allowUtf8)
    {
        while (true)
        {
            if (rest.IsEmpty || rest[0] != '@')
            {
                return AddressError.Syntax;
            }

            rest = rest[1..];
            var end = rest.IndexOfAny(',', ':');
            if (end < 0)
            {
                return AddressError.Syntax;
            }

            var error = CanonicalizeDomain(rest[..end], allowUtf8, out _);
            if (error != AddressError.None)
            {
                return error == AddressError.TooLong ? AddressError.TooLong : AddressError.Syntax;
            }

            var separator = rest[end];
            rest = rest[(end + 1)..];
            if (separator == ':')
            {
                return AddressError.None;
            }
        }
    }

    private static AddressError ParseMailbox(ReadOnlySpan<char> text, bool allowUtf8, out Mailbox? mailbox)
    {
        mailbox = null;
        if (text.IsEmpty)
        {
            return AddressError.Syntax;
        }

        int consumed;
        string localPart;
        var quoted = text[0] == '"';
        if (quoted)
        {
            if (!QuotedString.TryReadSmtp(text, allowUtf8, out localPart, out consumed) || localPart.Length == 0)
            {
                return AddressError.Syntax;
            }
        }
        else
        {
            consumed = text.IndexOf('@');
            // RFC 5321 4.1.2 Dot-string = Atom *("." Atom).
            if (consumed <= 0 || !DotAtom.IsDotAtom(text[..consumed], allowUtf8))
            {
                return AddressError.Syntax;
            }

            localPart = text[..consumed].ToString();
        }

        if (consumed >= text.Length || text[consumed] != '@')
        {
            return AddressError.Syntax;
        }

        var domainText = text[(consumed + 1)..];
        string domain;
        var isLiteral = !domainText.IsEmpty && domainText[0] == '[';
        if (isLiteral)
        {
            if (!AddressLiteral.TryCanonicalize(domainText, out domain))
            {
                return AddressError.Syntax;
            }
        }
        else
        {
            var error = CanonicalizeDomain(domainText, allowUtf8, out domain);
            if (error != AddressError.None)
            {
                return error;
            }
        }

        mailbox = new Mailbox(localPart, domain, isLiteral, quoted);
        return AddressError.None;
    }

    /// <summary>RFC 5321 4.1.2 Domain, U-labels only with SMTPUTF8 (RFC 6531 3.3), as an address error.</summary>
    private static AddressError CanonicalizeDomain(ReadOnlySpan<char> text, bool allowUtf8, out string domain) =>
        DomainName.TryCanonicalize(text, allowUtf8 ? DomainNameOptions.AllowUnicode : DomainNameOptions.None, out domain) switch
        {
            DomainNameError.None => AddressError.None,
            DomainNameError.TooLong => AddressError.TooLong,
            DomainNameError.NonAscii => AddressError.NonAscii,
            _ => AddressError.Syntax,
        };

    /// <summary>
    /// Non-ASCII text must be well-formed (no lone surrogates) and free of C1 controls and other non-characters
    /// a downstream system could treat as structure; U+FFFD means the text was already mangled.
    /// </summary>
    private static bool IsCleanUnicode(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            if (rune.Value is >= 0x80 and <= 0x9F || rune.Value is 0xFEFF or 0xFFFD || (rune.Value & 0xFFFE) == 0xFFFE)
            {
                return false;
            }

            i += used;
        }

        return true;
    }
}
