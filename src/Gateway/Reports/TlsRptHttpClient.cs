using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Transport.Http;

namespace Gateway.Host.Reports;

/// <summary>
/// The HttpClient that POSTs TLS reports to "https:" rua destinations (RFC 8460 5.4): addresses from our own
/// resolver, the system's trust store (on Linux SSL_CERT_FILE / SSL_CERT_DIR add a private CA), no redirects (a
/// report goes where the domain's record says, nowhere else), no proxy, no cookies, and bounded in time.
/// </summary>
internal static class TlsRptHttpClient
{
    /// <summary>Connecting to a report endpoint; a host that does not answer in this long is skipped until tomorrow.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The whole POST: reports are small (one day of one domain), a minute is plenty.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    /// <param name="dns">The gateway's resolver.</param>
    /// <param name="extraRoots">For tests: the roots trusted instead of the system store (the host passes none).</param>
    public static HttpClient Create(IDnsResolver dns, X509Certificate2Collection? extraRoots = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = ConnectTimeout,
            ConnectCallback = new ResolvingConnector(dns).ConnectAsync,
        };
        if (extraRoots is { Count: > 0 })
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(extraRoots);
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = RequestTimeout };
    }
}
