namespace Gateway.Policy;

/// <summary>The server certificate (tls:).</summary>
public sealed record TlsPolicy
{
    /// <summary>True: the host generates a self-signed certificate under state_directory/tls/.</summary>
    public bool AutoCertificate { get; init; } = true;

    /// <summary>Absolute path of the PEM certificate (chain) when <see cref="AutoCertificate"/> is false.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>Absolute path of the PEM private key; may be the certificate file itself.</summary>
    public string? KeyFile { get; init; }
}
