using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Spf;

namespace Gateway.Pipeline.Steps;

/// <summary>The sender-authentication results of one message, filled in step by step for the steps after them.</summary>
internal sealed class AuthenticationState
{
    /// <summary>The SPF result; null when SPF did not run.</summary>
    public SpfCheck? Spf { get; set; }

    /// <summary>One result per DKIM-Signature; null when DKIM verification did not run.</summary>
    public IReadOnlyList<DkimSignatureResult>? Dkim { get; set; }

    /// <summary>The ARC chain validation; null when ARC verification did not run.</summary>
    public ArcChainResult? Arc { get; set; }

    /// <summary>The DMARC evaluation after local overrides, and what it was computed from; null when DMARC did not run.</summary>
    public DmarcEvaluation? Dmarc { get; set; }

    /// <summary>The value of our Authentication-Results field once it is written (the ARC seal repeats it).</summary>
    public string? ResultsValue { get; set; }
}
