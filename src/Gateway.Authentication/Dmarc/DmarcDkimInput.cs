using Gateway.Authentication.Dkim;

namespace Gateway.Authentication.Dmarc;

/// <summary>One verified DKIM signature as DMARC sees it: the result and the signing domain (d=).</summary>
/// <param name="Result">The verification result; only <see cref="DkimResult.Pass"/> can align.</param>
/// <param name="Domain">The d= domain as it appeared in the signature.</param>
/// <param name="Selector">The s= selector (reports only).</param>
public sealed record DmarcDkimInput(DkimResult Result, string Domain, string? Selector = null);
