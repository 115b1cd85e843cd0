namespace Gateway.Smtp.Protocol;

/// <summary>What <see cref="CommandLineReader.TryRead"/> found.</summary>
public enum LineStatus
{
    /// <summary>More input is needed.</summary>
    Incomplete,

    /// <summary>A CRLF-terminated line (the line excludes the CRLF).</summary>
    Complete,

    /// <summary>The length limit was crossed before a CRLF arrived (RFC 5321 4.5.3.1.4).</summary>
    TooLong,

    /// <summary>An LF without a preceding CR ended the line (SMTP smuggling class, CVE-2023-51764).</summary>
    BareLineFeed,
}
