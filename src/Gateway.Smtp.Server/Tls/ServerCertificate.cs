using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smtp.Server.Tls;

/// <summary>
/// One server certificate with its private key and the intermediates to send with it. The handshake context is
/// built once, offline (missing intermediates are never fetched over the network at handshake time); using the
/// same context for every connection is also what lets the TLS layer resume sessions.
/// </summary>
public sealed class ServerCertificate : IDisposable
{
    /// <summary>Takes ownership of <paramref name="certificate"/> and <paramref name="intermediates"/>.</summary>
    public ServerCertificate(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> intermediates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(intermediates);
        Certificate = certificate;
        Intermediates = intermediates;
        Names = NamesOf(certificate);
        Context = SslStreamCertificateContext.Create(certificate, [.. intermediates], offline: true);
    }

    /// <summary>The leaf, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>The DNS names (possibly wildcards) the certificate answers for, lower case, without a trailing dot.</summary>
    public IReadOnlyList<string> Names { get; }

    public SslStreamCertificateContext Context { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var intermediate in Intermediates)
        {
            intermediate.Dispose();
        }
    }

    // RFC 6125 6.4.4: the CN is only looked at when there is no subjectAltName with DNS names.
    private static string[] NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
            }
        }

        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } cn)
        {
            names.Add(cn);
        }

        return [.. names.Select(n => n.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
    }
}
