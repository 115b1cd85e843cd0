using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Testing;
using Gateway.Testing.Peers;

namespace Gateway.Delivery.Tests;

/// <summary>
/// Two private Postfix instances for a test class: one as Debian ships smtpd (CHUNKING, so the client sends
/// BDAT) with STARTTLS, one that does not announce CHUNKING (so the client sends DATA).
/// </summary>
public sealed class PostfixFixture : IAsyncLifetime
{
    public PostfixServer WithChunking { get; private set; } = null!;

    public PostfixServer WithoutChunking { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var certificate = TestCertificates.Server;
        var key = certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        WithChunking = await PostfixServer.StartAsync(IPAddress.Loopback, certificate.ExportCertificatePem(), key);
        WithoutChunking = await PostfixServer.StartAsync(IPAddress.Loopback, extraMainCf: "smtpd_discard_ehlo_keywords = chunking, silent-discard");
    }

    public async Task DisposeAsync()
    {
        await WithChunking.DisposeAsync();
        await WithoutChunking.DisposeAsync();
    }

    public PostfixServer Server(bool chunking) => chunking ? WithChunking : WithoutChunking;
}
