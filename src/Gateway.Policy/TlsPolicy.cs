namespace Gateway.Policy;

/// <summary>Inbound transport security (tls:): the server certificates, when TLS is required, REQUIRETLS.</summary>
public sealed record TlsPolicy
{
    /// <summary>The default for <see cref="WatchInterval"/>: a renewal is in use within a minute.</summary>
    public static readonly TimeSpan DefaultWatchInterval = TimeSpan.FromMinutes(1);

    /// <summary>True: the host generates a self-signed certificate under state_directory/tls/.</summary>
    public bool AutoCertificate { get; init; } = true;

    /// <summary>
    /// The certificate files when <see cref="AutoCertificate"/> is false, in policy order: the single
    /// tls.certificate/tls.key pair first, then tls.certificates. The first is served to clients that send no SNI
    /// name or one no certificate holds.
    /// </summary>
    public IReadOnlyList<ServerCertificatePolicy> Certificates { get; init; } = [];

    /// <summary>The first certificate file (the default certificate), or null.</summary>
    public string? CertificateFile => Certificates.Count > 0 ? Certificates[0].CertificateFile : null;

    /// <summary>The first key file, or null.</summary>
    public string? KeyFile => Certificates.Count > 0 ? Certificates[0].KeyFile : null;

    /// <summary>Position of tls.certificate when it is 'auto', for reporting a self-signed certificate that cannot be made.</summary>
    public PolicyPosition? AutoSource { get; init; }

    /// <summary>How often the certificate files are checked for a renewal (tls.watch_interval).</summary>
    public TimeSpan WatchInterval { get; init; } = DefaultWatchInterval;

    /// <summary>The cipher suites offered (tls.ciphers).</summary>
    public TlsCipherPolicy Ciphers { get; init; } = TlsCipherPolicy.System;

    /// <summary>REQUIRETLS (RFC 8689) is offered inside TLS (tls.requiretls).</summary>
    public bool RequireTlsExtension { get; init; } = true;

    /// <summary>Clients and senders that must use TLS before MAIL (tls.require_for).</summary>
    public TlsRequirementPolicy RequireFor { get; init; } = new();
}
