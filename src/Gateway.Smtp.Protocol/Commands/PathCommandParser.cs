using System.Text;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// MAIL FROM:&lt;reverse-path&gt; [SP Mail-parameters] and RCPT TO:&lt;forward-path&gt; [SP Rcpt-parameters]
/// (RFC 5321 4.1.1.2, 4.1.1.3).
/// </summary>
internal static class PathCommandParser
{
    public static SmtpCommand Parse(SmtpVerb verb, ReadOnlySpan<byte> args, bool hadSpace, ParserOptions options)
    {
        var isMail = verb == SmtpVerb.Mail;
        var syntax = isMail ? SmtpReplies.MailSyntax : SmtpReplies.RcptSyntax;
        if (!hadSpace)
        {
            return new InvalidCommand(verb, syntax);
        }

        // Structure ("FROM:", brackets, SP) is ASCII, so a byte-per-char view finds it whatever the encoding.
        var raw = Encoding.Latin1.GetString(args);
        if (!TrySplit(raw, isMail ? "FROM:" : "TO:", out var pathStart, out var pathLength, out var tokens))
        {
            return new InvalidCommand(verb, syntax);
        }

        // RFC 6531 3.4: SMTPUTF8 on this MAIL (when offered) or on the transaction's MAIL (for RCPT).
        var utf8 = isMail
            ? options.Extended && options.SmtpUtf8Offered && tokens.Exists(t => string.Equals(t, "SMTPUTF8", StringComparison.OrdinalIgnoreCase))
            : options.TransactionIsUtf8;

        var text = raw;
        if (!Ascii.IsValid(args))
        {
            if (!utf8)
            {
                // RFC 6531 3.5: a non-ASCII address without SMTPUTF8 is 553 5.6.7; 8-bit elsewhere is plain bad syntax.
                var inPath = !Ascii.IsValid(args.Slice(pathStart, pathLength));
                return new InvalidCommand(verb, inPath ? SmtpReplies.NonAsciiAddressNeedsSmtpUtf8 : SmtpReplies.SyntaxError);
            }

            if (!TryDecodeUtf8(args, out text)
                || !TrySplit(text, isMail ? "FROM:" : "TO:", out pathStart, out pathLength, out tokens))
            {
                return new InvalidCommand(verb, SmtpReplies.InvalidUtf8);
            }
        }

        var path = text.AsSpan(pathStart, pathLength);
        var splitError = EsmtpParameterParser.TrySplit(tokens, utf8, out var parameters);
        return isMail
            ? ParseMail(path, parameters, splitError, utf8, options)
            : ParseRcpt(path, parameters, splitError, utf8, options);
    }

    private static SmtpCommand ParseMail(ReadOnlySpan<char> path, List<EsmtpParameter> parameters, SmtpReply? splitError, bool utf8, ParserOptions options)
    {
        Mailbox? from = null;
        if (!path.IsEmpty)
        {
            var error = PathParser.TryParseMailbox(path, utf8, options.MaxPathLength, out from);
            if (error != AddressError.None)
            {
                return new InvalidCommand(SmtpVerb.Mail, AddressReply(error, SmtpReplies.BadSenderAddress, SmtpReplies.SenderPathTooLong));
            }
        }

        if (splitError is not null)
        {
            return new InvalidCommand(SmtpVerb.Mail, splitError);
        }

        var reply = EsmtpParameterParser.ParseMail(parameters, options, utf8, out var mailParameters);
        return reply is null ? new MailCommand(from, mailParameters) : new InvalidCommand(SmtpVerb.Mail, reply);
    }

    private static SmtpCommand ParseRcpt(ReadOnlySpan<char> path, List<EsmtpParameter> parameters, SmtpReply? splitError, bool utf8, ParserOptions options)
    {
        Mailbox? to = null;

        // RFC 5321 4.5.1: "Postmaster" without a domain must be accepted (case-insensitive).
        if (path.Equals("Postmaster", StringComparison.OrdinalIgnoreCase))
        {
            to = new Mailbox("Postmaster", string.Empty);
        }
        else
        {
            // RFC 5321 4.1.1.3: the forward-path is never null.
            var error = path.IsEmpty ? AddressError.Syntax : PathParser.TryParseMailbox(path, utf8, options.MaxPathLength, out to);
            if (error != AddressError.None)
            {
                return new InvalidCommand(SmtpVerb.Rcpt, AddressReply(error, SmtpReplies.BadRecipientAddress, SmtpReplies.RecipientPathTooLong));
            }
        }

        if (splitError is not null)
        {
            return new InvalidCommand(SmtpVerb.Rcpt, splitError);
        }

        var reply = EsmtpParameterParser.ParseRcpt(parameters, options, utf8, out var rcptParameters);
        return reply is null ? new RcptCommand(to!, rcptParameters) : new InvalidCommand(SmtpVerb.Rcpt, reply);
    }

    private static SmtpReply AddressReply(AddressError error, SmtpReply syntax, SmtpReply tooLong) => error switch
    {
        AddressError.TooLong => tooLong,
        AddressError.NonAscii => SmtpReplies.NonAsciiAddressNeedsSmtpUtf8,
        _ => syntax,
    };

    /// <summary>
    /// Finds "FROM:"/"TO:" (case-insensitive), optional spaces, the bracketed path (a '&gt;' inside a quoted local
    /// part does not end it), then SP-separated parameters. Offsets are in chars of <paramref name="text"/>.
    /// </summary>
    private static bool TrySplit(string text, string prefix, out int pathStart, out int pathLength, out List<string> tokens)
    {
        pathStart = 0;
        pathLength = 0;
        tokens = [];
        if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var i = prefix.Length;
        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i >= text.Length || text[i] != '<')
        {
            return false;
        }

        var close = FindClosingBracket(text, i + 1);
        if (close < 0)
        {
            return false;
        }

        pathStart = i + 1;
        pathLength = close - pathStart;
        var rest = text.AsSpan(close + 1);
        if (!rest.IsEmpty && rest[0] != ' ')
        {
            return false;
        }

        tokens = [.. rest.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        return true;
    }

    private static int FindClosingBracket(string text, int start)
    {
        var quoted = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '>' && !quoted)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
