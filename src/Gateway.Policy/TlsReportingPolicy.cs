namespace Gateway.Policy;

/// <summary>Daily TLS reports (RFC 8460) to the destinations that ask for them (delivery.tls.reporting:).</summary>
public sealed record TlsReportingPolicy
{
    /// <summary>Count sessions and send daily reports to the _smtp._tls rua targets.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>organization-name of the reports; default: our host name.</summary>
    public string? Organization { get; init; }

    /// <summary>contact-info of the reports and the From of mailed reports; default: postmaster at our host name.</summary>
    public string? Contact { get; init; }
}
