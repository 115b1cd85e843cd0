namespace Gateway.Dns;

/// <summary>The record types <see cref="InMemoryDnsResolver"/> answers, for forcing an outcome per type.</summary>
public enum DnsRecordType
{
    /// <summary>IPv4 address (RFC 1035 3.4.1).</summary>
    A,

    /// <summary>IPv6 address (RFC 3596 2.1).</summary>
    Aaaa,

    /// <summary>Mail exchange (RFC 1035 3.3.9).</summary>
    Mx,

    /// <summary>Text (RFC 1035 3.3.14).</summary>
    Txt,

    /// <summary>Domain name pointer (RFC 1035 3.3.12).</summary>
#pragma warning disable CA1720 // PTR is the record type's name in DNS, not a pointer type.
    Ptr,
#pragma warning restore CA1720

    /// <summary>TLS certificate association (RFC 6698 2).</summary>
    Tlsa,
}
