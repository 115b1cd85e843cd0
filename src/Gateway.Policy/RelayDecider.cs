using System.Net;
using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>
/// The open-relay guard (DESIGN invariant 3): decides per recipient whether it is inbound, outbound or
/// denied. This is the only place that decision is made.
/// </summary>
/// <remarks>
/// <para>A client is <b>trusted</b> when its address is in trusted_networks (an IPv4-mapped IPv6 address
/// such as ::ffff:10.0.0.1, as a dual-stack socket reports IPv4 peers, is compared as the IPv4 address), or
/// when it has authenticated and auth.allow_relay is true.</para>
/// <para>Rules, first match wins:</para>
/// <list type="number">
/// <item>The bare <c>RCPT TO:&lt;Postmaster&gt;</c> (no domain) is Inbound for everyone: RFC 5321 4.5.1
/// requires it to be accepted. A domain-less mailbox that is not postmaster is Denied (the parser never
/// produces one; fail closed).</item>
/// <item>An address-literal recipient (<c>user@[192.0.2.1]</c>) is never Inbound, because we do not claim
/// literals as our domains: trusted clients get Outbound, others Denied.</item>
/// <item>A recipient in one of our domains (exact comparison of canonical lower-case A-labels; a subdomain is
/// a different domain) is Inbound, except that a local part with routing characters (%, !, or an @ inside a
/// quoted local part; RFC 5321 2.3.11 and 3.6.1) from an untrusted client is Denied when
/// relay.reject_routing_local_parts is true: a host behind us might act on "user%elsewhere" and relay
/// for the sender.</item>
/// <item>Any other domain: trusted clients get Outbound, others Denied.</item>
/// </list>
/// <para>Source routes never reach this point: the path parser drops them (RFC 5321 4.1.1.3, appendix C),
/// so <c>&lt;@ours:victim@elsewhere&gt;</c> is decided on <c>elsewhere</c>.</para>
/// </remarks>
public sealed class RelayDecider
{
    private readonly HashSet<string> _domains;
    private readonly IPNetwork[] _trustedNetworks;
    private readonly bool _allowAuthenticatedRelay;
    private readonly bool _rejectRoutingLocalParts;

    public RelayDecider(GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _domains = new HashSet<string>(policy.Domains, StringComparer.Ordinal);
        _trustedNetworks = [.. policy.TrustedNetworks];
        _allowAuthenticatedRelay = policy.Auth.AllowRelay;
        _rejectRoutingLocalParts = policy.Relay.RejectRoutingLocalParts;
    }

    public RelayResult Decide(Mailbox recipient, IPAddress client, bool authenticated)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(client);

        if (recipient.IsBarePostmaster)
        {
            return string.Equals(recipient.LocalPart, "postmaster", StringComparison.OrdinalIgnoreCase)
                ? new RelayResult(RelayOutcome.Inbound, "bare postmaster (RFC 5321 4.5.1)")
                : new RelayResult(RelayOutcome.Denied, "mailbox without a domain");
        }

        var trustedBy = TrustedBy(client, authenticated);
        if (recipient.IsAddressLiteral)
        {
            return trustedBy is null
                ? new RelayResult(RelayOutcome.Denied, "address literal from an untrusted client")
                : new RelayResult(RelayOutcome.Outbound, $"address literal, client trusted by {trustedBy}");
        }

        if (_domains.Contains(recipient.Domain))
        {
            if (recipient.LocalPartHasRoutingCharacters && _rejectRoutingLocalParts && trustedBy is null)
            {
                return new RelayResult(RelayOutcome.Denied, "routing characters in local part");
            }

            return new RelayResult(RelayOutcome.Inbound, "our domain");
        }

        return trustedBy is null
            ? new RelayResult(RelayOutcome.Denied, "foreign domain from an untrusted client")
            : new RelayResult(RelayOutcome.Outbound, $"foreign domain, client trusted by {trustedBy}");
    }

    /// <summary>True when the address is in trusted_networks (IPv4-mapped IPv6 compared as IPv4).</summary>
    public bool IsTrustedNetwork(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var network in _trustedNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the client is trusted ("network" or "authentication"), or null when it is not.</summary>
    private string? TrustedBy(IPAddress client, bool authenticated)
    {
        if (IsTrustedNetwork(client))
        {
            return "network";
        }

        return authenticated && _allowAuthenticatedRelay ? "authentication" : null;
    }
}
