using System.Text;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Results;
using Gateway.Syntax;

namespace Gateway.Authentication.Dmarc;

/// <summary>
/// Finds the RFC5322.From Author Domain in a raw header section (RFC 7489 6.6.1) with the strictness DMARC
/// needs: the domain DMARC checks must be the one a mail reader shows, so anything a reader might interpret
/// differently (the "Composition Kills" class of bypasses) is a problem that can never pass:
/// several From fields (in any letter case, "From :" included), no From, zero or several addresses, group
/// syntax, a display name that is itself an address but unquoted, NUL or bare CR anywhere in the header
/// section, unbalanced quotes, comments or angle brackets, source routes, domain literals.
/// Quoted local parts containing '@', display names containing addresses in quotes, comments holding addresses
/// and encoded words are all read per the RFC 5322 3.4 grammar, so the domain is the one after the real '@'.
/// Non-ASCII text is accepted as UTF-8 (RFC 6532) and the domain converted to A-labels.
/// </summary>
public static class AuthorDomainParser
{
    // Nested comments deeper than this are not mail a person wrote (RFC 5322 3.2.2 sets no limit).
    private const int MaxCommentDepth = 32;

    /// <summary>Parses the header section (the bytes up to the empty line; anything after it is ignored).</summary>
    public static DmarcAuthor Parse(ReadOnlySpan<byte> headerSection)
    {
        // A bare CR or NUL makes line boundaries ambiguous between implementations (RFC 5322 2.2 forbids both):
        // one reader may see a From field where another sees part of a Subject.
        var end = HeaderSectionEnd(headerSection);
        var section = headerSection[..end];
        if (section.IndexOf((byte)0) >= 0 || HasBareCr(section))
        {
            return DmarcAuthor.Invalid(DmarcAuthorProblem.InvalidSyntax);
        }

        HeaderFieldRange? from = null;
        var fields = new HeaderFieldRangeEnumerator(section);
        while (fields.MoveNext())
        {
            if (fields.Current.NameEquals(section, "From"u8))
            {
                if (from is not null)
                {
                    return DmarcAuthor.Invalid(DmarcAuthorProblem.MultipleFromFields);
                }

                from = fields.Current;
            }
        }

        return from is { } field
            ? ParseFromValue(field.Value(section))
            : DmarcAuthor.Invalid(DmarcAuthorProblem.NoFromField);
    }

    /// <summary>Parses the header section given as text (each char must be a byte value or UTF-16 of UTF-8 text).</summary>
    public static DmarcAuthor Parse(string headerSection)
    {
        ArgumentNullException.ThrowIfNull(headerSection);
        return Parse(Encoding.UTF8.GetBytes(headerSection));
    }

    /// <summary>Parses the value of one From field (unfolded or not): RFC 5322 3.6.2 mailbox-list.</summary>
    public static DmarcAuthor ParseFromValue(ReadOnlySpan<byte> value)
    {
        if (value.IndexOf((byte)0) >= 0 || HasBareCr(value))
        {
            return DmarcAuthor.Invalid(DmarcAuthorProblem.InvalidSyntax);
        }

        var reader = new TokenReader(value);
        var found = 0;
        DmarcAuthor? author = null;
        while (true)
        {
            // RFC 5322 4.4 obs-mbox-list: empty list elements are allowed and skipped.
            var token = reader.Peek();
            if (token.Kind == TokenKind.Error)
            {
                return DmarcAuthor.Invalid(DmarcAuthorProblem.InvalidSyntax);
            }

            if (token.Kind == TokenKind.End)
            {
                break;
            }

            if (token.Is(','))
            {
                reader.Next();
                continue;
            }

            var problem = ReadAddress(ref reader, out var candidate);
            if (problem != DmarcAuthorProblem.None)
            {
                return DmarcAuthor.Invalid(problem);
            }

            if (++found > 1)
            {
                return DmarcAuthor.Invalid(DmarcAuthorProblem.MultipleAddresses);
            }

            author = candidate;
            var next = reader.Next();
            if (next.Kind == TokenKind.End)
            {
                break;
            }

            if (!next.Is(','))
            {
                return DmarcAuthor.Invalid(DmarcAuthorProblem.InvalidSyntax);
            }
        }

        return author ?? DmarcAuthor.Invalid(DmarcAuthorProblem.NoAddress);
    }

    // address = mailbox / group; mailbox = name-addr / addr-spec (RFC 5322 3.4).
    private static DmarcAuthorProblem ReadAddress(ref TokenReader reader, out DmarcAuthor? author)
    {
        author = null;
        var start = reader.Offset;
        var phraseWords = 0;
        while (true)
        {
            var token = reader.Peek();
            if (token.Kind == TokenKind.Error)
            {
                return DmarcAuthorProblem.InvalidSyntax;
            }

            if (token.Kind is TokenKind.Atom or TokenKind.QuotedString || token.Is('.'))
            {
                // obs-phrase allows '.' in display names ("J. Smith").
                reader.Next();
                phraseWords++;
                continue;
            }

            break;
        }

        var stop = reader.Peek();
        if (stop.Is('<'))
        {
            // name-addr = [display-name] angle-addr
            reader.Next();
            if (reader.Peek().Is('@'))
            {
                // obs-route: source routes are never needed and readers disagree about them.
                return DmarcAuthorProblem.InvalidSyntax;
            }

            if (reader.Peek().Is('>'))
            {
                return DmarcAuthorProblem.NoAddress;
            }

            var addressStart = reader.Offset;
            var problem = ReadAddrSpec(ref reader, out var domain);
            if (problem != DmarcAuthorProblem.None)
            {
                return problem;
            }

            var address = reader.Text(addressStart, reader.Offset);
            if (!reader.Next().Is('>'))
            {
                return DmarcAuthorProblem.InvalidSyntax;
            }

            author = new DmarcAuthor(domain, address, DmarcAuthorProblem.None);
            return DmarcAuthorProblem.None;
        }

        if (stop.Is(':'))
        {
            // group = display-name ":" [group-list] ";" (RFC 6854 allows it in From; DMARC cannot use it).
            return phraseWords > 0 ? DmarcAuthorProblem.GroupSyntax : DmarcAuthorProblem.InvalidSyntax;
        }

        if (stop.Is('@'))
        {
            // addr-spec without angle brackets: the words read so far are the local part.
            reader.Rewind(start);
            var problem = ReadAddrSpec(ref reader, out var domain);
            if (problem != DmarcAuthorProblem.None)
            {
                return problem;
            }

            author = new DmarcAuthor(domain, reader.Text(start, reader.Offset), DmarcAuthorProblem.None);
            return DmarcAuthorProblem.None;
        }

        // A phrase with no address ("From: Undisclosed"), or stray specials.
        return phraseWords > 0 && (stop.Kind == TokenKind.End || stop.Is(','))
            ? DmarcAuthorProblem.NoAddress
            : DmarcAuthorProblem.InvalidSyntax;
    }

    // addr-spec = local-part "@" domain; local-part = word *("." word) (obs-local-part); domain = atom *("." atom)
    // (dot-atom / obs-domain) or a domain-literal, which has no DNS domain.
    private static DmarcAuthorProblem ReadAddrSpec(ref TokenReader reader, out string? domain)
    {
        domain = null;
        while (true)
        {
            var word = reader.Next();
            if (word.Kind is not (TokenKind.Atom or TokenKind.QuotedString))
            {
                return DmarcAuthorProblem.InvalidSyntax;
            }

            var separator = reader.Next();
            if (separator.Is('@'))
            {
                break;
            }

            if (!separator.Is('.'))
            {
                return DmarcAuthorProblem.InvalidSyntax;
            }
        }

        var first = reader.Next();
        if (first.Kind == TokenKind.DomainLiteral)
        {
            return DmarcAuthorProblem.InvalidDomain;
        }

        if (first.Kind != TokenKind.Atom)
        {
            return DmarcAuthorProblem.InvalidSyntax;
        }

        var builder = new StringBuilder();
        if (!reader.AppendUtf8(builder, first))
        {
            return DmarcAuthorProblem.InvalidSyntax;
        }

        while (reader.Peek().Is('.'))
        {
            reader.Next();
            var label = reader.Next();
            if (label.Kind != TokenKind.Atom)
            {
                // "user@example.com." and "user@example..com" are not dot-atoms.
                return DmarcAuthorProblem.InvalidDomain;
            }

            builder.Append('.');
            if (!reader.AppendUtf8(builder, label))
            {
                return DmarcAuthorProblem.InvalidSyntax;
            }
        }

        if (!ObservedDomain.TryNormalize(builder.ToString(), out var normalized))
        {
            return DmarcAuthorProblem.InvalidDomain;
        }

        domain = normalized;
        return DmarcAuthorProblem.None;
    }

    private static int HeaderSectionEnd(ReadOnlySpan<byte> headers)
    {
        var fields = new HeaderFieldRangeEnumerator(headers);
        while (fields.MoveNext())
        {
        }

        return fields.Position;
    }

    private static bool HasBareCr(ReadOnlySpan<byte> text)
    {
        var index = 0;
        while (index < text.Length)
        {
            var cr = text[index..].IndexOf((byte)'\r');
            if (cr < 0)
            {
                return false;
            }

            index += cr + 1;
            if (index >= text.Length || text[index] != (byte)'\n')
            {
                return true;
            }
        }

        return false;
    }

    private enum TokenKind
    {
        End,
        Error,
        Atom,
        QuotedString,
        DomainLiteral,
        Special,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int End)
    {
        public bool Is(char special) => Kind == TokenKind.Special && Start == (int)special;
    }

    // RFC 5322 3.2 lexical tokens, CFWS skipped. For Special tokens, Start holds the character.
    private ref struct TokenReader
    {
        private readonly ReadOnlySpan<byte> _text;
        private int _position;

        public TokenReader(ReadOnlySpan<byte> text)
        {
            _text = text;
        }

        public readonly int Offset => _position;

        public void Rewind(int offset) => _position = offset;

        public Token Peek()
        {
            var saved = _position;
            var token = Next();
            _position = saved;
            return token;
        }

        public Token Next()
        {
            if (!SkipCfws())
            {
                return new Token(TokenKind.Error, _position, _position);
            }

            if (_position >= _text.Length)
            {
                return new Token(TokenKind.End, _position, _position);
            }

            var start = _position;
            var b = _text[_position];
            if (b == (byte)'"')
            {
                return ReadDelimited((byte)'"', TokenKind.QuotedString);
            }

            if (b == (byte)'[')
            {
                return ReadDelimited((byte)']', TokenKind.DomainLiteral);
            }

            if (b is (byte)'<' or (byte)'>' or (byte)':' or (byte)';' or (byte)'@' or (byte)',' or (byte)'.')
            {
                _position++;
                return new Token(TokenKind.Special, b, start);
            }

            while (_position < _text.Length && IsAtext(_text[_position]))
            {
                _position++;
            }

            // Anything else (')', ']', '\\', controls) cannot start a token.
            return _position > start ? new Token(TokenKind.Atom, start, _position) : new Token(TokenKind.Error, start, start);
        }

        public readonly string Text(int start, int end) =>
            Encoding.UTF8.GetString(_text[start..end]).Trim(' ', '\t', '\r', '\n');

        public readonly bool AppendUtf8(StringBuilder builder, Token token)
        {
            var bytes = _text[token.Start..token.End];
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return false;
            }

            builder.Append(Encoding.UTF8.GetString(bytes));
            return true;
        }

        // RFC 5322 3.2.3 atext, plus UTF-8 octets (RFC 6532 3.2): an octet from 0x80 up is part of one.
        private static bool IsAtext(byte b) => DotAtom.IsAtext((char)b, allowUtf8: true);

        private Token ReadDelimited(byte close, TokenKind kind)
        {
            var start = _position++;
            while (_position < _text.Length)
            {
                var b = _text[_position];
                if (b == (byte)'\\')
                {
                    // quoted-pair (RFC 5322 3.2.1)
                    _position += 2;
                    continue;
                }

                if (b == close)
                {
                    _position++;
                    return new Token(kind, start, _position);
                }

                if ((kind == TokenKind.DomainLiteral && b == (byte)'[') || (b < 0x20 && b is not ((byte)'\t' or (byte)'\r' or (byte)'\n')) || b == 0x7f)
                {
                    return new Token(TokenKind.Error, start, _position);
                }

                _position++;
            }

            return new Token(TokenKind.Error, start, _position);
        }

        // Skips FWS and nested comments (RFC 5322 3.2.2); false for an unterminated or too deep comment.
        private bool SkipCfws()
        {
            var depth = 0;
            while (_position < _text.Length)
            {
                var b = _text[_position];
                if (depth > 0 && b == (byte)'\\')
                {
                    _position += 2;
                    continue;
                }

                if (b == (byte)'(')
                {
                    if (++depth > MaxCommentDepth)
                    {
                        return false;
                    }
                }
                else if (b == (byte)')' && depth > 0)
                {
                    depth--;
                }
                else if (depth == 0 && b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return true;
                }
                else if (depth > 0 && ((b < 0x20 && b is not ((byte)'\t' or (byte)'\r' or (byte)'\n')) || b == 0x7f))
                {
                    return false;
                }

                _position++;
            }

            if (_position > _text.Length)
            {
                _position = _text.Length;
            }

            return depth == 0;
        }
    }
}
