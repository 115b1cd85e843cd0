using System.Text;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Parses one command line (without its CRLF) into an <see cref="SmtpCommand"/>. Pure and total: every input
/// gives a command, syntax errors give an <see cref="InvalidCommand"/> carrying the exact reply.
/// </summary>
/// <remarks>
/// Leniency, on purpose and nowhere else: spaces after "FROM:"/"TO:" ("MAIL FROM: &lt;x&gt;"), several spaces
/// between parameters, trailing spaces, and anything after the first HELO/EHLO token. The verb must be followed
/// by exactly one SP (RFC 5321 4.1.1) where the command has arguments.
/// </remarks>
public static class SmtpCommandParser
{
    private const byte Space = (byte)' ';

    public static SmtpCommand Parse(ReadOnlySpan<byte> line, ParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var verbEnd = line.IndexOf(Space);
        var verbBytes = verbEnd < 0 ? line : line[..verbEnd];
        var verb = IdentifyVerb(verbBytes);
        var args = verbEnd < 0 ? ReadOnlySpan<byte>.Empty : line[(verbEnd + 1)..];

        // The reader takes lines up to SmtpDefaults.LongestCommandLine; only MAIL and RCPT in an ESMTP session may use
        // the room beyond the plain limit, for the parameters their extensions add (RFC 5321 4.5.3.1.4).
        if (line.Length + 2 > CommandLineLimit(verb, options))
        {
            return new InvalidCommand(verb, SmtpReplies.LineTooLong);
        }

        // RFC 5321 2.3.8 / 4.1.1: CR only as part of CRLF, and NUL never; both are smuggling and injection tools.
        if (line.IndexOfAny((byte)0, (byte)'\r') >= 0 || line.IsEmpty)
        {
            return new InvalidCommand(verb, SmtpReplies.SyntaxError);
        }

        if (verb is SmtpVerb.Mail or SmtpVerb.Rcpt)
        {
            return PathCommandParser.Parse(verb, args, verbEnd >= 0, options);
        }

        // RFC 6531 3.3: 8-bit octets are allowed only in MAIL/RCPT paths and parameters, under SMTPUTF8.
        if (!Ascii.IsValid(line))
        {
            return new InvalidCommand(verb, SmtpReplies.SyntaxError);
        }

        if (verb == SmtpVerb.Unknown)
        {
            return new UnknownCommand(Encoding.ASCII.GetString(verbBytes[..Math.Min(verbBytes.Length, 64)]));
        }

        var text = Encoding.ASCII.GetString(args);
        return verb switch
        {
            SmtpVerb.Helo or SmtpVerb.Ehlo => ParseHelo(verb, text),
            SmtpVerb.Data => NoArguments(verb, text, new DataCommand()),
            SmtpVerb.Rset => NoArguments(verb, text, new RsetCommand()),
            SmtpVerb.Quit => NoArguments(verb, text, new QuitCommand()),
            SmtpVerb.StartTls => NoArguments(verb, text, new StartTlsCommand()),

            // RFC 5321 4.1.1.9: a NOOP parameter string SHOULD be ignored.
            SmtpVerb.Noop => new NoopCommand(),
            SmtpVerb.Help => ParseHelp(text),
            SmtpVerb.Vrfy or SmtpVerb.Expn => ParseVrfyOrExpn(verb, text),
            SmtpVerb.Bdat => ParseBdat(text),
            SmtpVerb.Auth => ParseAuth(text),
            _ => new UnknownCommand(Encoding.ASCII.GetString(verbBytes)),
        };
    }

    private static int CommandLineLimit(SmtpVerb verb, ParserOptions options) => options.MaxCommandLineLength + (options.Extended
        ? verb switch
        {
            SmtpVerb.Mail => SmtpDefaults.MailParametersLength,
            SmtpVerb.Rcpt => SmtpDefaults.RcptParametersLength,
            _ => 0,
        }
        : 0);

    private static SmtpVerb IdentifyVerb(ReadOnlySpan<byte> verb)
    {
        // RFC 5321 2.4: verbs are case-insensitive. Longest is STARTTLS.
        if (verb.Length is < 4 or > 8)
        {
            return SmtpVerb.Unknown;
        }

        Span<byte> upper = stackalloc byte[8];
        var length = Ascii.ToUpper(verb, upper, out var written) == System.Buffers.OperationStatus.Done ? written : 0;
        return upper[..length] switch
        {
            [(byte)'H', (byte)'E', (byte)'L', (byte)'O'] => SmtpVerb.Helo,
            [(byte)'E', (byte)'H', (byte)'L', (byte)'O'] => SmtpVerb.Ehlo,
            [(byte)'M', (byte)'A', (byte)'I', (byte)'L'] => SmtpVerb.Mail,
            [(byte)'R', (byte)'C', (byte)'P', (byte)'T'] => SmtpVerb.Rcpt,
            [(byte)'D', (byte)'A', (byte)'T', (byte)'A'] => SmtpVerb.Data,
            [(byte)'B', (byte)'D', (byte)'A', (byte)'T'] => SmtpVerb.Bdat,
            [(byte)'R', (byte)'S', (byte)'E', (byte)'T'] => SmtpVerb.Rset,
            [(byte)'N', (byte)'O', (byte)'O', (byte)'P'] => SmtpVerb.Noop,
            [(byte)'Q', (byte)'U', (byte)'I', (byte)'T'] => SmtpVerb.Quit,
            [(byte)'V', (byte)'R', (byte)'F', (byte)'Y'] => SmtpVerb.Vrfy,
            [(byte)'E', (byte)'X', (byte)'P', (byte)'N'] => SmtpVerb.Expn,
            [(byte)'H', (byte)'E', (byte)'L', (byte)'P'] => SmtpVerb.Help,
            [(byte)'A', (byte)'U', (byte)'T', (byte)'H'] => SmtpVerb.Auth,
            [(byte)'S', (byte)'T', (byte)'A', (byte)'R', (byte)'T', (byte)'T', (byte)'L', (byte)'S'] => SmtpVerb.StartTls,
            _ => SmtpVerb.Unknown,
        };
    }

    /// <summary>RFC 5321 4.1.1.1: HELO/EHLO take one domain or address literal; any printable token is accepted.</summary>
    private static SmtpCommand ParseHelo(SmtpVerb verb, string text)
    {
        var extended = verb == SmtpVerb.Ehlo;
        var syntax = extended ? SmtpReplies.EhloSyntax : SmtpReplies.HeloSyntax;
        var trimmed = text.TrimStart(' ');
        var end = trimmed.IndexOf(' ', StringComparison.Ordinal);
        var token = end < 0 ? trimmed : trimmed[..end];
        if (token.Length == 0 || !IsPrintable(token))
        {
            return new InvalidCommand(verb, syntax);
        }

        return new HeloCommand(extended, token);
    }

    /// <summary>RFC 5321 4.1.1.4, 4.1.1.5, 4.1.1.10, RFC 3207 4: no arguments (trailing spaces tolerated).</summary>
    private static SmtpCommand NoArguments(SmtpVerb verb, string text, SmtpCommand command) =>
        text.AsSpan().Trim(' ').IsEmpty ? command : new InvalidCommand(verb, SmtpReplies.NoArgumentsAllowed);

    /// <summary>RFC 5321 4.1.1.8: HELP [SP String].</summary>
    private static SmtpCommand ParseHelp(string text)
    {
        var topic = text.Trim(' ');
        if (topic.Length == 0)
        {
            return new HelpCommand(null);
        }

        return IsPrintableWithSpaces(topic) ? new HelpCommand(topic) : new InvalidCommand(SmtpVerb.Help, SmtpReplies.ArgumentSyntaxError);
    }

    /// <summary>RFC 5321 4.1.1.6 / 4.1.1.7: VRFY/EXPN SP String, required.</summary>
    private static SmtpCommand ParseVrfyOrExpn(SmtpVerb verb, string text)
    {
        var argument = text.Trim(' ');
        if (argument.Length == 0)
        {
            return new InvalidCommand(verb, SmtpReplies.ArgumentRequired);
        }

        if (!IsPrintableWithSpaces(argument))
        {
            return new InvalidCommand(verb, SmtpReplies.ArgumentSyntaxError);
        }

        return verb == SmtpVerb.Vrfy ? new VrfyCommand(argument) : new ExpnCommand(argument);
    }

    /// <summary>RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ]; chunk-size = 1*DIGIT; end-marker = "LAST".</summary>
    private static SmtpCommand ParseBdat(string text)
    {
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length is 0 or > 2
            || tokens[0].Length > SmtpDefaults.ChunkSizeDigits
            || tokens[0].AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return new InvalidCommand(SmtpVerb.Bdat, SmtpReplies.BdatSyntax);
        }

        var last = tokens.Length == 2;
        if (last && !string.Equals(tokens[1], "LAST", StringComparison.OrdinalIgnoreCase))
        {
            return new InvalidCommand(SmtpVerb.Bdat, SmtpReplies.BdatSyntax);
        }

        return new BdatCommand(long.Parse(tokens[0], System.Globalization.CultureInfo.InvariantCulture), last);
    }

    /// <summary>
    /// RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]; sasl-mech is 1-20 of upper-case letters, digits,
    /// "-", "_" (RFC 4422 3.1, matched case-insensitively); initial-response is base64 or "=" for empty.
    /// </summary>
    private static SmtpCommand ParseAuth(string text)
    {
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length is 0 or > 2 || tokens[0].Length > 20)
        {
            return new InvalidCommand(SmtpVerb.Auth, SmtpReplies.AuthSyntax);
        }

        var mechanism = tokens[0].ToUpperInvariant();
        foreach (var c in mechanism)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c) && c is not '-' and not '_')
            {
                return new InvalidCommand(SmtpVerb.Auth, SmtpReplies.AuthSyntax);
            }
        }

        if (tokens.Length == 1)
        {
            return new AuthCommand(mechanism, null);
        }

        var response = tokens[1];
        if (response == "=")
        {
            return new AuthCommand(mechanism, string.Empty);
        }

        return SaslDecoder.IsBase64Text(response)
            ? new AuthCommand(mechanism, response)
            : new InvalidCommand(SmtpVerb.Auth, SmtpReplies.AuthMalformed);
    }

    private static bool IsPrintable(string text)
    {
        foreach (var c in text)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPrintableWithSpaces(string text)
    {
        foreach (var c in text)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
