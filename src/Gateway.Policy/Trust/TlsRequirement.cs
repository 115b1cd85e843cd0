using System.Net;
using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// Whether a client must have started TLS before MAIL (RFC 3207 4: 530 until STARTTLS). The listener's require_tls is
/// enforced by the session itself; this is the rest of the decision, made once at MAIL: the client's network
/// (tls.require_for.networks) and the sender's domain (tls.require_for.sender_domains).
/// </summary>
public sealed class TlsRequirement
{
    private readonly IPNetwork[] _networks;
    private readonly HashSet<string> _exactDomains = new(StringComparer.Ordinal);
    private readonly string[] _parentDomains;

    public TlsRequirement(TlsRequirementPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _networks = [.. policy.Networks];
        var parents = new List<string>();
        foreach (var domain in policy.SenderDomains)
        {
            if (domain.StartsWith('.'))
            {
                parents.Add(domain);
            }
            else
            {
                _exactDomains.Add(domain);
            }
        }

        _parentDomains = [.. parents];
    }

    /// <summary>Why this MAIL needs TLS first, or null when it does not (or TLS is already active).</summary>
    public string? Reason(SessionFacts session, Mailbox? sender)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Tls is not null)
        {
            return null;
        }

        var client = session.ClientAddress.IsIPv4MappedToIPv6 ? session.ClientAddress.MapToIPv4() : session.ClientAddress;
        foreach (var network in _networks)
        {
            if (network.Contains(client))
            {
                return $"client network {network} requires TLS";
            }
        }

        // The null sender <> has no domain: bounces are never held back by a sender rule.
        if (sender is null || sender.Domain.Length == 0)
        {
            return null;
        }

        var domain = sender.Domain.ToLowerInvariant();
        if (_exactDomains.Contains(domain))
        {
            return $"sender domain {domain} requires TLS";
        }

        foreach (var parent in _parentDomains)
        {
            if (domain.EndsWith(parent, StringComparison.Ordinal))
            {
                return $"sender domain {domain} requires TLS (under {parent})";
            }
        }

        return null;
    }
}
