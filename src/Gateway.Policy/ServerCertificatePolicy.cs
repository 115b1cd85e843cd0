namespace Gateway.Policy;

/// <summary>One server certificate named in policy: PEM files, and where they were named for error reports.</summary>
public sealed record ServerCertificatePolicy
{
    /// <summary>Absolute path of the PEM certificate followed by its intermediates (certbot's fullchain.pem).</summary>
    public required string CertificateFile { get; init; }

    /// <summary>Absolute path of the PEM private key; may be the certificate file itself.</summary>
    public required string KeyFile { get; init; }

    /// <summary>Position of the certificate node (null: not from a file).</summary>
    public PolicyPosition? CertificateSource { get; init; }

    /// <summary>Position of the key node.</summary>
    public PolicyPosition? KeySource { get; init; }
}
