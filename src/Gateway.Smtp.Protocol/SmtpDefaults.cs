namespace Gateway.Smtp.Protocol;

/// <summary>
/// Protocol limits with the RFC each comes from. These are the minimums a server must accept; policy may
/// raise some of them, never lower them below what the RFC requires a receiver to handle.
/// </summary>
public static class SmtpDefaults
{
    /// <summary>RFC 5321 4.5.3.1.4: a command line is at most 512 octets including the CRLF.</summary>
    public const int CommandLineLength = 512;

    /// <summary>
    /// RFC 5321 4.5.3.1.4 lets extensions lengthen the command line; each MAIL parameter we advertise adds its share:
    /// SIZE 26 (RFC 1870 3), AUTH 500 (RFC 4954 3), SMTPUTF8 10 (RFC 6531 3.1), and as long as their longest values
    /// " BODY=8BITMIME" (14, RFC 6152 2), " RET=HDRS" (9) and " ENVID=" with 100 characters (107, RFC 3461 4.3, 4.4)
    /// and " REQUIRETLS" (11, RFC 8689 2).
    /// </summary>
    public const int MailParametersLength = 26 + 14 + 9 + 107 + 500 + 10 + 11;

    /// <summary>
    /// The RCPT share (RFC 5321 4.5.3.1.4, RFC 3461 4.1, 4.2): " NOTIFY=SUCCESS,FAILURE,DELAY" (29) and " ORCPT="
    /// with an address type of up to 20 characters, ";" and an address of up to 500 characters before xtext encoding,
    /// each of which may be sent as three ("+XX").
    /// </summary>
    public const int RcptParametersLength = 29 + 7 + 20 + 1 + (3 * OriginalRecipientLength);

    /// <summary>
    /// The longest command line a reader must take whole for the parser to judge it: the limit plus the larger of the
    /// MAIL and RCPT parameter shares.
    /// </summary>
    public static int LongestCommandLine(int commandLineLength) =>
        commandLineLength + Math.Max(MailParametersLength, RcptParametersLength);

    /// <summary>RFC 3461 4.2: the ORCPT address is at most 500 characters before xtext encoding.</summary>
    public const int OriginalRecipientLength = 500;

    /// <summary>RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including the CRLF.</summary>
    public const int TextLineLength = 1000;

    /// <summary>RFC 5321 4.5.3.1.3: a reverse-path or forward-path is at most 256 octets including the brackets.</summary>
    public const int PathLength = 256;

    /// <summary>RFC 4954 4: servers must accept AUTH command and continuation lines of at least 12288 octets.</summary>
    public const int AuthLineLength = 12288;

    /// <summary>RFC 3461 4.4: an ENVID value is at most 100 characters.</summary>
    public const int EnvelopeIdLength = 100;

    /// <summary>RFC 3030 2: BDAT chunk sizes are digits; 18 digits keep the value inside a signed 64-bit integer.</summary>
    public const int ChunkSizeDigits = 18;

    /// <summary>RFC 1870 6: SIZE values are digits; more than 20 digits cannot be a real size.</summary>
    public const int SizeDigits = 20;

    /// <summary>
    /// RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including the CRLF. A client reading a server
    /// keeps at most this much of each line and drops the rest (it is text for people, never protocol).
    /// </summary>
    public const int ReplyLineLength = 512;

    /// <summary>
    /// Lines kept of one multi-line reply. RFC 5321 sets no limit; ours bounds what a hostile server can make a
    /// client hold (64 × 512 octets). Further lines are read and dropped, so the dialogue stays in step.
    /// </summary>
    public const int ReplyLines = 64;
}
