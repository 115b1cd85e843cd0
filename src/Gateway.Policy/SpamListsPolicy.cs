using System.Net;

namespace Gateway.Policy;

/// <summary>
/// One DNS list as a score input (spam.dnsbl[], spam.domain_lists[], spam.uri_lists[]): the zone, the points a listing
/// adds (positive: a block list, negative: an allow list) and which answers count (all in 127.0.0.0/8 when neither
/// <see cref="Codes"/> nor <see cref="Mask"/> is given).
/// </summary>
public sealed record DnsListPolicy
{
    /// <summary>What X-Spam-Status calls a hit: the entry's name:, else a prefix and the zone ("DNSBL_zen.example.org").</summary>
    public required string Name { get; init; }

    public required string Zone { get; init; }

    public required double Weight { get; init; }

    /// <summary>Exact answers that count (127.0.0.2 ...); empty: no exact filter.</summary>
    public IReadOnlyList<IPAddress> Codes { get; init; } = [];

    /// <summary>Bits of the answer's last octet of which one must be set (multi zones); 0: no bit filter.</summary>
    public byte Mask { get; init; }

    /// <summary>For domain lists: which domains of the session are looked up.</summary>
    public DomainListSubjects Check { get; init; } = DomainListSubjects.Sender | DomainListSubjects.Helo;
}

/// <summary>The domains of a session a domain list (RHSBL) is asked about (spam.domain_lists[].check).</summary>
[Flags]
public enum DomainListSubjects
{
    None = 0,

    /// <summary>The domain of the MAIL FROM address (nothing for the null sender).</summary>
    Sender = 1,

    /// <summary>The HELO/EHLO name, when it is a domain.</summary>
    Helo = 2,
}

/// <summary>Points for what the client itself shows (spam.client_checks); 0 switches a check off.</summary>
public sealed record ClientCheckScores
{
    /// <summary>No PTR name of the client's address leads back to it (forward-confirmed reverse DNS).</summary>
    public double NoFcrdns { get; init; }

    /// <summary>HELO is neither a fully qualified domain nor an address literal.</summary>
    public double HeloInvalid { get; init; }

    /// <summary>HELO is our host name, one of our domains, or our address.</summary>
    public double HeloIsOurs { get; init; }

    /// <summary>HELO is an address literal other than the client's address.</summary>
    public double HeloLiteralMismatch { get; init; }

    /// <summary>The client sent commands before PIPELINING was offered: behind its EHLO/HELO, or at all after HELO.</summary>
    public double Pipelining { get; init; }

    public bool AnyHelo => HeloInvalid != 0 || HeloIsOurs != 0 || HeloLiteralMismatch != 0;
}
