using System.Net;

namespace Gateway.Policy;

/// <summary>
/// Greylisting (greylisting:): the first attempt of a (client network, envelope sender, recipient) triplet is answered
/// 450 4.7.1 at RCPT; a retry after <see cref="Delay"/> and within <see cref="RetryWindow"/> is accepted, and the client's
/// network is then allowed without greylisting for <see cref="AutoAllow"/> (postgrey's auto-whitelist), renewed while it
/// sends. Trusted and authenticated clients, the allow lists and clients whose SPF passes for the MAIL FROM domain are
/// never greylisted. Off without the section.
/// </summary>
public sealed record GreylistingPolicy
{
    public const int DefaultMaxEntries = 100_000;

    public bool Enabled { get; init; }

    /// <summary>How long a client must wait before its retry is accepted.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the first attempt a retry is still taken as one; later it starts again.</summary>
    public TimeSpan RetryWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long a network that passed a retry is let through, from its last message.</summary>
    public TimeSpan AutoAllow { get; init; } = TimeSpan.FromDays(35);

    /// <summary>The network a client address is greylisted as.</summary>
    public int Ipv4Prefix { get; init; } = 24;

    public int Ipv6Prefix { get; init; } = 64;

    /// <summary>Clients never greylisted.</summary>
    public IReadOnlyList<IPNetwork> AllowNetworks { get; init; } = [];

    /// <summary>
    /// Envelope sender domains never greylisted, canonical: "example.org" is that domain only, ".example.org" its
    /// subdomains only (Postfix's notation, as in tls.require_for.sender_domains).
    /// </summary>
    public IReadOnlyList<string> AllowSenderDomains { get; init; } = [];

    /// <summary>Triplets and allowed networks remembered at once (each); beyond it the oldest go.</summary>
    public int MaxEntries { get; init; } = DefaultMaxEntries;

    public bool AllowsNetwork(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var network in AllowNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public bool AllowsSenderDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (domain.Length == 0)
        {
            return false;
        }

        var name = domain.ToLowerInvariant();
        foreach (var entry in AllowSenderDomains)
        {
            if (entry.StartsWith('.') ? name.EndsWith(entry, StringComparison.Ordinal) : string.Equals(name, entry, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
