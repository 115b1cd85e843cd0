namespace Gateway.Policy;

/// <summary>
/// What the gateway makes of DNSSEC (policy key dns.dnssec), after Postfix's smtp_dns_support_level: off never
/// trusts an answer as authenticated; validating says the configured resolvers validate and are trusted, so
/// their AD bit counts (RFC 7672 2.1.1: DANE needs it from a resolver we trust, e.g. unbound on 127.0.0.1).
/// </summary>
public enum DnssecMode
{
    Off,
    Validating,
}
