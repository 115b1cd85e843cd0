using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Dmarc;

/// <summary>What DMARC evaluation needs to know about one message (RFC 7489 4.2 and 6.6.2).</summary>
public sealed record DmarcInput
{
    /// <summary>The RFC5322.From author (<see cref="AuthorDomainParser"/>), or why there is none.</summary>
    public required DmarcAuthor Author { get; init; }

    /// <summary>The SPF result.</summary>
    public SpfResult Spf { get; init; } = SpfResult.None;

    /// <summary>The domain SPF checked: the MAIL FROM domain, or the HELO name when MAIL FROM was null.</summary>
    public string? SpfDomain { get; init; }

    /// <summary>Which identity <see cref="SpfDomain"/> is; only <see cref="DmarcSpfScope.MailFrom"/> aligns (RFC 7489 4.1).</summary>
    public DmarcSpfScope SpfScope { get; init; } = DmarcSpfScope.MailFrom;

    /// <summary>Every DKIM signature's result, in the order of the message.</summary>
    public IReadOnlyList<DmarcDkimInput> Dkim { get; init; } = [];
}
