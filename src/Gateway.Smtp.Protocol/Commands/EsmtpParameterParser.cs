using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// MAIL and RCPT parameters (RFC 5321 4.1.2 Mail-parameters / Rcpt-parameters). Keywords are case-insensitive,
/// each allowed once; a keyword the gateway does not know, or whose extension was not advertised, gets
/// 555 5.5.4 (RFC 5321 4.1.1.11); a malformed value gets 501 5.5.4.
/// </summary>
internal static class EsmtpParameterParser
{
    /// <summary>Splits and checks the generic syntax; the reply is null on success.</summary>
    public static SmtpReply? TrySplit(IReadOnlyList<string> tokens, bool allowUtf8, out List<EsmtpParameter> parameters)
    {
        parameters = new List<EsmtpParameter>(tokens.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in tokens)
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? token : token[..equals];
            var value = equals < 0 ? null : token[(equals + 1)..];
            if (!IsKeyword(keyword) || (value is not null && !IsValue(value, allowUtf8)))
            {
                return SmtpReplies.ArgumentSyntaxError;
            }

            if (!seen.Add(keyword))
            {
                return SmtpReplies.DuplicateParameter;
            }

            parameters.Add(new EsmtpParameter(keyword.ToUpperInvariant(), value));
        }

        return null;
    }

    public static SmtpReply? ParseMail(List<EsmtpParameter> parameters, ParserOptions options, bool allowUtf8, out MailParameters result)
    {
        result = MailParameters.None;
        if (parameters.Count == 0)
        {
            return null;
        }

        // RFC 5321 4.1.1.11 / 3.2: parameters exist only in ESMTP sessions.
        if (!options.Extended)
        {
            return SmtpReplies.ParameterNotRecognized;
        }

        var mail = new MailParameters();
        foreach (var (keyword, value) in parameters)
        {
            var reply = keyword switch
            {
                "SIZE" when options.SizeOffered => ParseSize(value, ref mail),
                "BODY" when options.EightBitMimeOffered => ParseBody(value, ref mail),
                "SMTPUTF8" when options.SmtpUtf8Offered => ParseSmtpUtf8(value, ref mail),
                "RET" when options.DsnOffered => ParseReturn(value, ref mail),
                "ENVID" when options.DsnOffered => ParseEnvelopeId(value, ref mail),
                "AUTH" when options.AuthOffered => ParseAuth(value, allowUtf8, ref mail),
                "REQUIRETLS" when options.RequireTlsOffered => ParseRequireTls(value, ref mail),

                // RFC 8689 2: the option may only be used over TLS, and we advertise it only there; a client
                // that sends it in plaintext is told that encryption is what is missing, not that it is unknown.
                "REQUIRETLS" => SmtpReplies.RequireTlsNeedsTls,
                _ => SmtpReplies.ParameterNotRecognized,
            };
            if (reply is not null)
            {
                return reply;
            }
        }

        result = mail;
        return null;
    }

    public static SmtpReply? ParseRcpt(List<EsmtpParameter> parameters, ParserOptions options, bool allowUtf8, out RecipientParameters result)
    {
        result = RecipientParameters.None;
        if (parameters.Count == 0)
        {
            return null;
        }

        if (!options.Extended)
        {
            return SmtpReplies.ParameterNotRecognized;
        }

        var rcpt = new RecipientParameters();
        foreach (var (keyword, value) in parameters)
        {
            var reply = keyword switch
            {
                "NOTIFY" when options.DsnOffered => ParseNotify(value, ref rcpt),
                "ORCPT" when options.DsnOffered => ParseOriginalRecipient(value, allowUtf8, ref rcpt),
                _ => SmtpReplies.ParameterNotRecognized,
            };
            if (reply is not null)
            {
                return reply;
            }
        }

        result = rcpt;
        return null;
    }

    /// <summary>RFC 1870 3: SIZE=1*20DIGIT. Values beyond a long saturate: they are over any limit anyway.</summary>
    private static SmtpReply? ParseSize(string? value, ref MailParameters mail)
    {
        if (value is null || value.Length is 0 or > SmtpDefaults.SizeDigits || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return SmtpReplies.InvalidParameterValue;
        }

        var size = 0L;
        foreach (var c in value)
        {
            size = size > (long.MaxValue - 9) / 10 ? long.MaxValue : (size * 10) + (c - '0');
        }

        mail = mail with { Size = size };
        return null;
    }

    /// <summary>RFC 6152 2: BODY=7BIT|8BITMIME. BINARYMIME (RFC 3030 3) is a known value but not offered.</summary>
    private static SmtpReply? ParseBody(string? value, ref MailParameters mail)
    {
        if (string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase))
        {
            mail = mail with { Body = BodyType.SevenBit };
            return null;
        }

        if (string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase))
        {
            mail = mail with { Body = BodyType.EightBitMime };
            return null;
        }

        return string.Equals(value, "BINARYMIME", StringComparison.OrdinalIgnoreCase)
            ? SmtpReplies.ParameterNotRecognized
            : SmtpReplies.InvalidParameterValue;
    }

    /// <summary>RFC 6531 3.4: SMTPUTF8 takes no value.</summary>
    private static SmtpReply? ParseSmtpUtf8(string? value, ref MailParameters mail)
    {
        if (value is not null)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        mail = mail with { SmtpUtf8 = true };
        return null;
    }

    /// <summary>RFC 8689 2: REQUIRETLS takes no value.</summary>
    private static SmtpReply? ParseRequireTls(string? value, ref MailParameters mail)
    {
        if (value is not null)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        mail = mail with { RequireTls = true };
        return null;
    }

    /// <summary>RFC 3461 4.3: RET=FULL|HDRS.</summary>
    private static SmtpReply? ParseReturn(string? value, ref MailParameters mail)
    {
        DsnReturn? ret = value?.ToUpperInvariant() switch
        {
            "FULL" => DsnReturn.Full,
            "HDRS" => DsnReturn.Headers,
            _ => null,
        };
        if (ret is null)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        mail = mail with { Return = ret.Value };
        return null;
    }

    /// <summary>RFC 3461 4.4: ENVID=xtext, at most 100 characters, printable ASCII once decoded.</summary>
    private static SmtpReply? ParseEnvelopeId(string? value, ref MailParameters mail)
    {
        if (value is null || value.Length > SmtpDefaults.EnvelopeIdLength || !XText.TryDecode(value, allowUtf8: false, out var decoded))
        {
            return SmtpReplies.InvalidParameterValue;
        }

        mail = mail with { EnvelopeId = decoded };
        return null;
    }

    /// <summary>RFC 4954 5: AUTH=xtext (the submitting identity) or AUTH=&lt;&gt; (unknown).</summary>
    private static SmtpReply? ParseAuth(string? value, bool allowUtf8, ref MailParameters mail)
    {
        if (value is null)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        if (value == "<>")
        {
            mail = mail with { AuthMailbox = "<>" };
            return null;
        }

        if (!XText.TryDecode(value, allowUtf8, out var decoded) || decoded.Length == 0)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        mail = mail with { AuthMailbox = decoded };
        return null;
    }

    /// <summary>RFC 3461 4.1: NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY.</summary>
    private static SmtpReply? ParseNotify(string? value, ref RecipientParameters rcpt)
    {
        if (string.IsNullOrEmpty(value))
        {
            return SmtpReplies.InvalidParameterValue;
        }

        var notify = DsnNotify.None;
        foreach (var item in value.Split(','))
        {
            var flag = item.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => DsnNotify.None,
            };
            if (flag == DsnNotify.None || (notify & flag) != 0)
            {
                return SmtpReplies.InvalidParameterValue;
            }

            notify |= flag;
        }

        // RFC 3461 4.1: NEVER must not be combined with any other value.
        if ((notify & DsnNotify.Never) != 0 && notify != DsnNotify.Never)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        rcpt = rcpt with { Notify = notify };
        return null;
    }

    /// <summary>
    /// RFC 3461 4.2: ORCPT=addr-type ";" xtext, the address at most 500 characters before xtext encoding. The type is
    /// an atom such as "rfc822" or (RFC 6533) "utf-8"; the address is only carried into DSNs, never routed on.
    /// </summary>
    private static SmtpReply? ParseOriginalRecipient(string? value, bool allowUtf8, ref RecipientParameters rcpt)
    {
        if (value is null)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon <= 0)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        var type = value[..semicolon];
        if (!IsKeyword(type)
            || !XText.TryDecode(value[(semicolon + 1)..], allowUtf8, out var address)
            || address.Length is 0 or > SmtpDefaults.OriginalRecipientLength)
        {
            return SmtpReplies.InvalidParameterValue;
        }

        rcpt = rcpt with { OriginalRecipientType = type, OriginalRecipient = address };
        return null;
    }

    /// <summary>RFC 5321 4.1.2 esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").</summary>
    private static bool IsKeyword(string keyword)
    {
        if (keyword.Length == 0 || !char.IsAsciiLetterOrDigit(keyword[0]))
        {
            return false;
        }

        foreach (var c in keyword)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 5321 4.1.2 esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii under RFC 6531 3.3.</summary>
    private static bool IsValue(string value, bool allowUtf8)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            var ok = (c is >= (char)33 and <= (char)126 && c != '=') || (allowUtf8 && c > (char)127);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
