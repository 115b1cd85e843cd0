namespace Gateway.Testing.Peers;

/// <summary>
/// A test zone for <see cref="ValidatingDns"/>: its origin, zone-file records (SOA and NS are added) and what a
/// validating resolver is to conclude about its answers.
/// </summary>
public sealed record DnssecZone(string Origin, string Records, DnssecState State);

/// <summary>The validation outcome a test zone is set up for (RFC 4035 4.3's states).</summary>
public enum DnssecState
{
    /// <summary>Unsigned and declared insecure: answered, never authenticated.</summary>
    Insecure,

    /// <summary>Signed, its true DS the resolver's trust anchor: answers come back authenticated (AD).</summary>
    Secure,

    /// <summary>Signed, but the resolver's trust anchor for it is a wrong DS: every answer fails validation (SERVFAIL).</summary>
    Bogus,
}
