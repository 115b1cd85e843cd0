namespace Gateway.Authentication.Spf;

/// <summary>Limits and settings of <see cref="SpfVerifier"/>. Defaults are the RFC 7208 values.</summary>
public sealed record SpfOptions
{
    /// <summary>RFC 7208 4.6.4: at most 10 mechanisms and modifiers that query DNS per check; more is permerror.</summary>
    public int MaxDnsLookups { get; init; } = 10;

    /// <summary>RFC 7208 4.6.4: at most 2 lookups answering NXDOMAIN or no records ("void"); more is permerror.</summary>
    public int MaxVoidLookups { get; init; } = 2;

    /// <summary>
    /// Longest record (its TXT strings joined) that is evaluated; longer is permerror. RFC 7208 3.4 asks
    /// publishers to stay under about 450 octets, so 4 KiB leaves room for real records and none for abuse.
    /// </summary>
    public int MaxRecordLength { get; init; } = 4096;

    /// <summary>RFC 7208 4.6.4: a limit on the whole evaluation of at least 20 seconds; exceeding it is temperror.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The %{r} macro (RFC 7208 7.2): the domain name of the host performing the check; "unknown" if unset.</summary>
    public string ReceivingHost { get; init; } = "unknown";

    /// <summary>
    /// Longest explanation kept (RFC 7208 6.2 text is third-party data going into an SMTP reply); longer
    /// expansions are cut.
    /// </summary>
    public int MaxExplanationLength { get; init; } = 256;
}
