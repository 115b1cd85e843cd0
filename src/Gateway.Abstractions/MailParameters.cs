namespace Gateway.Abstractions;

/// <summary>BODY= of MAIL FROM (RFC 6152 8BITMIME, RFC 3030 BINARYMIME is not offered).</summary>
public enum BodyType
{
    Unspecified,
    SevenBit,
    EightBitMime,
}

/// <summary>RET= of MAIL FROM (RFC 3461 4.3).</summary>
public enum DsnReturn
{
    Unspecified,
    Full,
    Headers,
}

/// <summary>Parameters given with MAIL FROM. Unknown parameters never get here: they are refused with 555.</summary>
public sealed record MailParameters
{
    public static MailParameters None { get; } = new();

    /// <summary>SIZE= (RFC 1870), the client's estimate in octets.</summary>
    public long? Size { get; init; }

    public BodyType Body { get; init; }

    /// <summary>SMTPUTF8 (RFC 6531 3.4).</summary>
    public bool SmtpUtf8 { get; init; }

    public DsnReturn Return { get; init; }

    /// <summary>ENVID= (RFC 3461 4.4), xtext-decoded.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>AUTH= (RFC 4954 5), xtext-decoded; "&lt;&gt;" when the client says the identity is unknown.</summary>
    public string? AuthMailbox { get; init; }

    /// <summary>
    /// REQUIRETLS (RFC 8689 2): the sender asks that every onward hop uses TLS with a validated certificate, or the
    /// message bounces. Only accepted inside TLS, so a true value always arrived over an encrypted session.
    /// </summary>
    public bool RequireTls { get; init; }
}

/// <summary>NOTIFY= of RCPT TO (RFC 3461 4.1). None means the parameter was absent.</summary>
[Flags]
public enum DsnNotify
{
    None = 0,
    Never = 1,
    Success = 2,
    Failure = 4,
    Delay = 8,
}

/// <summary>Parameters given with RCPT TO.</summary>
public sealed record RecipientParameters
{
    public static RecipientParameters None { get; } = new();

    public DsnNotify Notify { get; init; }

    /// <summary>ORCPT= address type (RFC 3461 4.2), e.g. "rfc822" or "utf-8".</summary>
    public string? OriginalRecipientType { get; init; }

    /// <summary>ORCPT= address, xtext-decoded.</summary>
    public string? OriginalRecipient { get; init; }
}
