namespace Gateway.Smtp.Protocol;

/// <summary>Irregularities found in a message body; the session and policy decide what each one costs.</summary>
[Flags]
public enum BodyDefects
{
    None = 0,

    /// <summary>An LF without a CR before it (RFC 5321 2.3.8; SMTP smuggling, CVE-2023-51764).</summary>
    BareLineFeed = 1,

    /// <summary>A CR not followed by LF (RFC 5321 2.3.8).</summary>
    BareCarriageReturn = 2,

    /// <summary>A NUL octet (RFC 5322 2.3 / RFC 6152: never allowed, even in 8BITMIME).</summary>
    Nul = 4,

    /// <summary>A line longer than the text-line limit including its CRLF (RFC 5321 4.5.3.1.6).</summary>
    LineTooLong = 8,
}
