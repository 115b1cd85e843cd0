using System.Net;

namespace Gateway.Policy;

/// <summary>
/// Who must use TLS before MAIL, beyond listeners with require_tls (tls.require_for): client networks, and sender
/// domains of partners that always send over TLS.
/// </summary>
public sealed record TlsRequirementPolicy
{
    /// <summary>Clients in these networks get 530 5.7.0 to MAIL before STARTTLS.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];

    /// <summary>
    /// Canonical sender domains: "example.org" is that domain only, ".example.org" its subdomains only (Postfix's
    /// notation); a MAIL FROM in one of them before STARTTLS gets 530 5.7.0.
    /// </summary>
    public IReadOnlyList<string> SenderDomains { get; init; } = [];
}
