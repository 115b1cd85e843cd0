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

    /// <summary>Position of the certificate node, for reporting a certificate that does not load (null: not from a file).</summary>
    public PolicyPosition? CertificateSource { get; init; }

    /// <summary>Position of the key node, for reporting a key that does not load or does not match.</summary>
    public PolicyPosition? KeySource { get; init; }
}
