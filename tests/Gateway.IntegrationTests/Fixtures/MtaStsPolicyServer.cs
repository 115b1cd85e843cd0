using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Fixtures;

/// <summary>
/// The policy hosts of test domains (RFC 8461 3.3): Kestrel on a loopback address, port 443, with a certificate from
/// the test CA naming every "mta-sts.&lt;domain&gt;", serving each domain's policy by the Host header.
/// </summary>
public sealed class MtaStsPolicyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private MtaStsPolicyServer(WebApplication app) => _app = app;

    /// <summary>How many policies were served.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <param name="address">A loopback address; the server listens on its port 443 (tests run as root).</param>
    /// <param name="certificate">The leaf for the mta-sts names, with its key.</param>
    /// <param name="intermediate">Sent after the leaf, as a real server sends its chain.</param>
    /// <param name="policies">Policy text by domain.</param>
    public static async Task<MtaStsPolicyServer> StartAsync(
        IPAddress address, X509Certificate2 certificate, X509Certificate2 intermediate, IReadOnlyDictionary<string, string> policies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, 443, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.ServerCertificateChain = [intermediate];
        })));
        var app = builder.Build();
        var server = new MtaStsPolicyServer(app);
        app.MapGet("/.well-known/mta-sts.txt", (HttpContext context) =>
        {
            var host = context.Request.Host.Host;
            var domain = host.StartsWith("mta-sts.", StringComparison.OrdinalIgnoreCase) ? host["mta-sts.".Length..] : host;
            if (!policies.TryGetValue(domain, out var text))
            {
                return Results.NotFound();
            }

            Interlocked.Increment(ref server._requests);
            return Results.Text(text, "text/plain");
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
