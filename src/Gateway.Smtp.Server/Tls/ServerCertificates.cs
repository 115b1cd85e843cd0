using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smtp.Server.Tls;

/// <summary>
/// The server certificates of one policy snapshot, each with its chain, chosen per handshake by the name the client
/// asked for (SNI, RFC 6066 3). Immutable: a renewed certificate comes as a new instance that new connections get,
/// while connections already open keep the one they started with.
/// </summary>
/// <remarks>
/// A certificate answers for the dNSName entries of its subjectAltName, or for its subject CN when it has none.
/// An exact name beats a wildcard; a wildcard <c>*.example.org</c> stands for exactly one leftmost label (RFC 6125
/// 6.4.3: not <c>example.org</c>, not <c>a.b.example.org</c>). Among equals the earlier certificate wins. A client
/// that sends no name or a name no certificate holds gets the first certificate: SMTP clients rarely send SNI, and
/// opportunistic TLS (RFC 7435) is better than none.
/// </remarks>
public sealed class ServerCertificates : IDisposable
{
    private readonly ServerCertificate[] _certificates;
    private readonly Dictionary<string, int> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _wildcards = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Takes ownership of the certificates (disposed with this instance); the first is the default.</summary>
    public ServerCertificates(IReadOnlyList<ServerCertificate> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        if (certificates.Count == 0)
        {
            throw new ArgumentException("At least one certificate is needed.", nameof(certificates));
        }

        _certificates = [.. certificates];
        for (var i = 0; i < _certificates.Length; i++)
        {
            foreach (var name in _certificates[i].Names)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    _wildcards.TryAdd(name[2..], i);
                }
                else
                {
                    _exact.TryAdd(name, i);
                }
            }
        }
    }

    /// <summary>The certificates in policy order.</summary>
    public IReadOnlyList<ServerCertificate> All => _certificates;

    /// <summary>One certificate without intermediates, as tests and simple set-ups have it.</summary>
    public static ServerCertificates Of(X509Certificate2 certificate) => new([new ServerCertificate(certificate, [])]);

    /// <summary>The certificate for the name the client sent (null or empty: none sent).</summary>
    public ServerCertificate Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _certificates[0];
        }

        var name = serverName.TrimEnd('.');
        if (_exact.TryGetValue(name, out var index))
        {
            return _certificates[index];
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcards.TryGetValue(name[(dot + 1)..], out index))
        {
            return _certificates[index];
        }

        return _certificates[0];
    }

    public void Dispose()
    {
        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }
    }
}
