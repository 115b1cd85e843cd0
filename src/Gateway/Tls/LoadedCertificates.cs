using Gateway.Smtp.Server.Tls;

namespace Gateway.Host.Tls;

/// <summary>The server certificates of a policy snapshot and the fingerprint of the file bytes they came from (null: self-signed).</summary>
internal sealed record LoadedCertificates(ServerCertificates Certificates, string? Fingerprint);
