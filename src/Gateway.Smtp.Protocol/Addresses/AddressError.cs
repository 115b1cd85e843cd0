namespace Gateway.Smtp.Protocol;

/// <summary>Why <see cref="PathParser.TryParseMailbox"/> refused a path.</summary>
public enum AddressError
{
    None,

    /// <summary>Not an RFC 5321 4.1.2 Path (or a form this gateway refuses on purpose; see PathParser).</summary>
    Syntax,

    /// <summary>Path, local part or domain over its RFC 5321 4.5.3.1 limit.</summary>
    TooLong,

    /// <summary>8-bit characters without SMTPUTF8 in effect (RFC 6531 3.2).</summary>
    NonAscii,
}
