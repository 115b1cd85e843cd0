using System.Net;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Policy;

/// <summary>
/// The one trust decision of the gateway (DESIGN invariant 3, the open-relay guard): who the client is (once per
/// session, again after AUTH or STARTTLS), which way each recipient goes (once per recipient), and which sender
/// addresses an authenticated client may use. Relay control, the choice of message steps and the spool all take
/// their answer from here; nothing else decides any of it.
/// </summary>
/// <remarks>
/// <para><b>Client</b> (<see cref="Classify"/>): in trusted_networks → <see cref="ClientClass.TrustedNetwork"/>
/// (an IPv4-mapped IPv6 address such as ::ffff:10.0.0.1, as a dual-stack socket reports IPv4 peers, is compared as
/// the IPv4 address; behind a trusted load balancer the address is the one its PROXY header carried); else
/// authenticated → <see cref="ClientClass.AuthenticatedRelay"/> when auth.allow_relay is true, otherwise
/// <see cref="ClientClass.Authenticated"/>; else <see cref="ClientClass.Anonymous"/>.</para>
/// <para><b>Recipient</b> (<see cref="Route"/>), first match wins:</para>
/// <list type="number">
/// <item>The bare <c>RCPT TO:&lt;Postmaster&gt;</c> (no domain) is Inbound for everyone: RFC 5321 4.5.1
/// requires it to be accepted. A domain-less mailbox that is not postmaster is Denied (the parser never
/// produces one; fail closed).</item>
/// <item>An address-literal recipient (<c>user@[192.0.2.1]</c>) is never Inbound, because we do not claim
/// literals as our domains: clients that may relay get Outbound, others Denied.</item>
/// <item>A recipient in one of our domains (exact comparison of canonical lower-case A-labels; a subdomain is
/// a different domain) is Inbound, except that a local part with routing characters (%, !, or an @ inside a
/// quoted local part; RFC 5321 2.3.11 and 3.6.1) from a client that may not relay is Denied when
/// relay.reject_routing_local_parts is true: a host behind us might act on "user%elsewhere" and relay
/// for the sender.</item>
/// <item>Any other domain: clients that may relay get Outbound, others Denied.</item>
/// </list>
/// <para>Source routes never reach this point: the path parser drops them (RFC 5321 4.1.1.3, appendix C),
/// so <c>&lt;@ours:victim@elsewhere&gt;</c> is decided on <c>elsewhere</c>.</para>
/// <para><b>Senders</b> (<see cref="OwnsSender"/>): a client that must own its senders
/// (<see cref="ClientTrust.MustOwnSenders"/>) may use the addresses auth.senders lists for its login, or, when
/// the login is not listed, the address that is its login name.</para>
/// </remarks>
public sealed class TrustDecider
{
    private readonly HashSet<string> _domains;
    private readonly IPNetwork[] _trustedNetworks;
    private readonly bool _allowAuthenticatedRelay;
    private readonly bool _rejectRoutingLocalParts;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<SenderPattern>> _senders;

    public TrustDecider(GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _domains = new HashSet<string>(policy.Domains, StringComparer.Ordinal);
        _trustedNetworks = [.. policy.TrustedNetworks];
        _allowAuthenticatedRelay = policy.Auth.AllowRelay;
        _rejectRoutingLocalParts = policy.Relay.RejectRoutingLocalParts;
        _senders = policy.Auth.Senders;
    }

    /// <summary>The client's class from what the session knows now.</summary>
    public ClientTrust Classify(SessionFacts session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var user = session.AuthenticatedUser;
        if (IsTrustedNetwork(session.ClientAddress))
        {
            return new ClientTrust(ClientClass.TrustedNetwork, user);
        }

        if (user is null)
        {
            return ClientTrust.Anonymous;
        }

        return new ClientTrust(_allowAuthenticatedRelay ? ClientClass.AuthenticatedRelay : ClientClass.Authenticated, user);
    }

    /// <summary>Which way the recipient goes for this client, or why it is refused.</summary>
    public RelayResult Route(ClientTrust client, Mailbox recipient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(recipient);

        if (recipient.IsBarePostmaster)
        {
            return string.Equals(recipient.LocalPart, "postmaster", StringComparison.OrdinalIgnoreCase)
                ? new RelayResult(RelayOutcome.Inbound, "bare postmaster (RFC 5321 4.5.1)")
                : new RelayResult(RelayOutcome.Denied, "mailbox without a domain");
        }

        if (recipient.IsAddressLiteral)
        {
            return client.MayRelay
                ? new RelayResult(RelayOutcome.Outbound, $"address literal, client trusted by {TrustedBy(client)}")
                : new RelayResult(RelayOutcome.Denied, "address literal from an untrusted client");
        }

        if (_domains.Contains(recipient.Domain))
        {
            if (recipient.LocalPartHasRoutingCharacters && _rejectRoutingLocalParts && !client.MayRelay)
            {
                return new RelayResult(RelayOutcome.Denied, "routing characters in local part");
            }

            return new RelayResult(RelayOutcome.Inbound, "our domain");
        }

        return client.MayRelay
            ? new RelayResult(RelayOutcome.Outbound, $"foreign domain, client trusted by {TrustedBy(client)}")
            : new RelayResult(RelayOutcome.Denied, "foreign domain from an untrusted client");
    }

    /// <summary>
    /// Whether the client may name <paramref name="sender"/> as envelope sender or author (From). Clients that need
    /// not own their senders (trusted networks, anonymous clients whose mail sender authentication judges instead)
    /// may use any. The null sender &lt;&gt; (null here) owns nothing and is always allowed: bounces must flow
    /// (RFC 5321 4.5.5).
    /// </summary>
    public bool OwnsSender(ClientTrust client, Mailbox? sender)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.MustOwnSenders || sender is null)
        {
            return true;
        }

        if (_senders.TryGetValue(client.User!, out var patterns))
        {
            foreach (var pattern in patterns)
            {
                if (pattern.Matches(sender))
                {
                    return true;
                }
            }

            return false;
        }

        // Not listed: the login owns itself when it is an address (the usual submission account "alice@example.com").
        return AddrSpec.TrySplit(client.User!, out var local, out var domain)
            && local.Length > 0
            && string.Equals(local, sender.LocalPart, StringComparison.OrdinalIgnoreCase)
            && string.Equals(domain, sender.Domain, StringComparison.OrdinalIgnoreCase);
    }

    private static string TrustedBy(ClientTrust client) => client.Class == ClientClass.TrustedNetwork ? "network" : "authentication";

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
}
