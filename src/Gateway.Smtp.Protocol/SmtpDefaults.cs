namespace Gateway.Smtp.Protocol;

/// <summary>
/// Protocol limits with the RFC each comes from. These are the minimums a server must accept; policy may
/// raise some of them, never lower them below what the RFC requires a receiver to handle.
/// </summary>
public static class SmtpDefaults
{
    /// <summary>RFC 5321 4.5.3.1.4: a command line is at most 512 octets including the CRLF.</summary>
    public const int CommandLineLength = 512;

    /// <summary>RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including the CRLF.</summary>
    public const int TextLineLength = 1000;

    /// <summary>RFC 5321 4.5.3.1.3: a reverse-path or forward-path is at most 256 octets including the brackets.</summary>
    public const int PathLength = 256;

    /// <summary>RFC 5321 4.5.3.1.1: a local part is at most 64 octets.</summary>
    public const int LocalPartLength = 64;

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
