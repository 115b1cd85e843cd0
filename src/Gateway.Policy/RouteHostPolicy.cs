using System.Net;
using Gateway.Policy.Validation;

namespace Gateway.Policy;

/// <summary>One internal host of an inbound route (an item of delivery.routes.&lt;domain&gt;).</summary>
public sealed record RouteHostPolicy
{
    /// <summary>Canonical host name (lower-case A-labels) or the canonical text of an IP address.</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 25;

    /// <summary>Lower is tried first, like an MX preference (RFC 5321 5.1); equal preferences share the load.</summary>
    public int Preference { get; init; } = 10;

    /// <summary>The TLS this host must give (tls:, or require_tls: true for verify); null: the opportunistic default.</summary>
    public DestinationTlsSetting? Tls { get; init; }

    /// <summary>Deliver only over TLS: a host that does not offer STARTTLS is a transient failure.</summary>
    public bool RequireTls => Tls is { Level: >= Transport.TlsLevel.Encrypt };

    /// <summary>The address when <see cref="Host"/> is an IP literal, else null (a name to resolve via A/AAAA).</summary>
    public IPAddress? Address => NetworkParser.TryParseAddress(Host, out var address) is null ? address : null;
}
