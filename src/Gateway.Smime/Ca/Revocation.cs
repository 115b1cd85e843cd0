using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smime.Ca;

/// <summary>A revoked certificate as the CA records it and the CRL lists it (RFC 5280 5.3.1 reason).</summary>
public sealed record Revocation(string SerialNumber, string Identity, DateTimeOffset RevokedAt, X509RevocationReason Reason);
