namespace Gateway.Abstractions;

/// <summary>
/// One MX record (RFC 1035 3.3.9). Exchange is the host name as published without its trailing dot; the root
/// name, published as the null MX of RFC 7505 ("0 ."), is given as ".".
/// </summary>
public sealed record MxRecord(int Preference, string Exchange)
{
    /// <summary>True for the RFC 7505 null MX target (the root name).</summary>
    public bool IsNullMx => Exchange is "." or "";
}
