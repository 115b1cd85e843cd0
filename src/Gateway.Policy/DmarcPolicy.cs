using System.Net;

namespace Gateway.Policy;

/// <summary>DMARC (authentication.dmarc:), RFC 7489: evaluation, enforcement, local overrides and reports.</summary>
public sealed record DmarcPolicy
{
    public bool Verify { get; init; } = true;

    /// <summary>Honour the domain's policy: p=reject is 550 5.7.1 at the end of DATA, p=quarantine is <see cref="Quarantine"/>.</summary>
    public bool Enforce { get; init; } = true;

    public DmarcQuarantineAction Quarantine { get; init; } = DmarcQuarantineAction.Hold;

    public DmarcTempErrorAction TempError { get; init; } = DmarcTempErrorAction.TempFail;

    /// <summary>Clients whose DMARC failures are not enforced (override "trusted_forwarder", RFC 7489 appendix C PolicyOverrideType).</summary>
    public IReadOnlyList<IPNetwork> TrustedForwarders { get; init; } = [];

    /// <summary>From domains (canonical) whose policy is never enforced (override "local_policy", RFC 7489 appendix C PolicyOverrideType).</summary>
    public IReadOnlyList<string> Exceptions { get; init; } = [];

    /// <summary>Absolute path of a public_suffix_list.dat to use instead of the built-in copy; null: the built-in copy.</summary>
    public string? PublicSuffixList { get; init; }

    public DmarcReportsPolicy Reports { get; init; } = new();
}
