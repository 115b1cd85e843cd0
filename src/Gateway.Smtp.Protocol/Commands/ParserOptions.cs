namespace Gateway.Smtp.Protocol;

/// <summary>What the session has advertised and agreed so far; the parser needs it to judge parameters.</summary>
public sealed record ParserOptions
{
    /// <summary>EHLO was given, so ESMTP parameters are allowed (after HELO any parameter gets 555 5.5.4).</summary>
    public bool Extended { get; init; }

    /// <summary>SMTPUTF8 (RFC 6531) is advertised.</summary>
    public bool SmtpUtf8Offered { get; init; } = true;

    /// <summary>DSN (RFC 3461) is advertised: RET, ENVID, NOTIFY, ORCPT.</summary>
    public bool DsnOffered { get; init; } = true;

    /// <summary>SIZE (RFC 1870) is advertised.</summary>
    public bool SizeOffered { get; init; } = true;

    /// <summary>8BITMIME (RFC 6152) is advertised: BODY=7BIT|8BITMIME.</summary>
    public bool EightBitMimeOffered { get; init; } = true;

    /// <summary>AUTH (RFC 4954) is advertised: AUTH= on MAIL is accepted only then.</summary>
    public bool AuthOffered { get; init; }

    /// <summary>
    /// REQUIRETLS (RFC 8689 2) is advertised, which the server does only inside TLS: the MAIL parameter is accepted
    /// only then.
    /// </summary>
    public bool RequireTlsOffered { get; init; }

    /// <summary>The current transaction's MAIL had SMTPUTF8: RCPT may carry UTF-8 addresses (RFC 6531 3.4).</summary>
    public bool TransactionIsUtf8 { get; init; }

    /// <summary>
    /// The command line limit including the CRLF (RFC 5321 4.5.3.1.4: 512). In an ESMTP session MAIL and RCPT may exceed
    /// it by what their parameters add (<see cref="SmtpDefaults.MailParametersLength"/>,
    /// <see cref="SmtpDefaults.RcptParametersLength"/>).
    /// </summary>
    public int MaxCommandLineLength { get; init; } = SmtpDefaults.CommandLineLength;

    /// <summary>The path limit including the angle brackets (RFC 5321 4.5.3.1.3).</summary>
    public int MaxPathLength { get; init; } = SmtpDefaults.PathLength;
}
