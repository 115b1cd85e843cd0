namespace Gateway.Smime.Ca;

/// <summary>The internal CA as <c>ca init</c> made it: its id (names the CRL), certificate (DER, public) and CRL address.</summary>
public sealed record CaInfo(string CaId, string Subject, string Sha256Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, Uri CrlUrl, byte[] Certificate);
