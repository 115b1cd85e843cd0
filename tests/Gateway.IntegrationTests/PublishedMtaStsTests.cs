using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;

namespace Gateway.IntegrationTests;

/// <summary>
/// Our own MTA-STS policy (RFC 8461 3) as a sending MTA sees it: fetched over HTTPS from the real gateway with the
/// certificate chosen by SNI for mta-sts.&lt;domain&gt; and validated against the test CA, and the TXT records that
/// `gateway mta-sts records` prints, whose id follows the policy.
/// </summary>
public sealed partial class PublishedMtaStsTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();

    public void Dispose() => _ca.Dispose();

    private TestPolicy Policy(int httpsPort, string mode)
    {
        var policy = new TestPolicy(
            tlsYaml: "tls:\n  certificate: mx.pem\n  key: mx.pem\n  certificates:\n    - certificate: sts.pem\n      key: sts.pem",
            extraYaml: $"mta_sts:\n  mode: {mode}\n  mx: [mx.gateway.test, \"*.backup.example.test\"]\n  max_age: 1d\n" +
                $"  listen: 127.0.0.1:{httpsPort.ToString(CultureInfo.InvariantCulture)}\n  report_to: tls-reports@example.test\n");
        File.WriteAllText(Path.Combine(policy.Directory, "mx.pem"), _ca.IssuePem("mx.gateway.test"));
        File.WriteAllText(Path.Combine(policy.Directory, "sts.pem"), _ca.IssuePem("mta-sts.example.test", "mta-sts.ours.test"));
        return policy;
    }

    /// <summary>An HTTPS client that reaches every name at the gateway's port and trusts only the test CA.</summary>
    private HttpClient Client(int port)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var custom = new X509Chain();
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.Add(_ca.Root);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    foreach (var element in chain?.ChainPolicy.ExtraStore ?? [])
                    {
                        custom.ChainPolicy.ExtraStore.Add(element);
                    }

                    custom.ChainPolicy.ExtraStore.Add(_ca.Intermediate);
                    return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    private static Uri PolicyUri(string domain, int port) =>
        new($"https://mta-sts.{domain}:{port.ToString(CultureInfo.InvariantCulture)}/.well-known/mta-sts.txt");

    [Fact]
    public async Task The_policy_is_served_over_https_with_the_sni_certificate_for_each_of_our_domains()
    {
        var port = FreePort.Next();
        await using var gateway = await GatewayProcess.StartAsync(Policy(port, "enforce"));
        using var client = Client(port);

        foreach (var domain in new[] { "example.test", "ours.test" })
        {
            using var response = await client.GetAsync(PolicyUri(domain, port));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx.gateway.test\r\nmx: *.backup.example.test\r\nmax_age: 86400\r\n", body);
        }

        // Not one of our domains, or another path: nothing to say.
        using (var other = await client.GetAsync(new Uri($"https://mta-sts.ours.test:{port.ToString(CultureInfo.InvariantCulture)}/")))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        // The admin routes are not reachable through the MTA-STS endpoint.
        using var health = await client.GetAsync(new Uri($"https://mta-sts.ours.test:{port.ToString(CultureInfo.InvariantCulture)}/health"));
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    [Fact]
    public async Task The_printed_records_carry_an_id_that_changes_with_the_policy()
    {
        var port = FreePort.Next();
        var testing = Policy(port, "testing");
        var (exit, first, error) = await GatewayProcess.RunToCompletionAsync(testing.Directory, null, "mta-sts", "records", "--domain", "example.test", "--config", testing.MainFile);
        Assert.True(exit == 0, error);

        var enforce = Policy(port, "enforce");
        (exit, var second, error) = await GatewayProcess.RunToCompletionAsync(enforce.Directory, null, "mta-sts", "records", "--domain", "example.test", "--config", enforce.MainFile);
        Assert.True(exit == 0, error);

        var firstId = IdPattern().Match(first);
        var secondId = IdPattern().Match(second);
        Assert.True(firstId.Success, first);
        Assert.True(secondId.Success, second);
        Assert.NotEqual(firstId.Groups[1].Value, secondId.Groups[1].Value);
        Assert.Contains("_smtp._tls.example.test", second, StringComparison.Ordinal);
        Assert.Contains("rua=mailto:tls-reports@example.test", second, StringComparison.Ordinal);

        // The same policy prints the same id again: publishing twice never forces senders to refetch.
        (_, var again, _) = await GatewayProcess.RunToCompletionAsync(enforce.Directory, null, "mta-sts", "records", "--domain", "example.test", "--config", enforce.MainFile);
        Assert.Equal(secondId.Groups[1].Value, IdPattern().Match(again).Groups[1].Value);
    }

    [GeneratedRegex(@"_mta-sts\.example\.test\.?\s.*v=STSv1; id=([A-Za-z0-9]+)")]
    private static partial Regex IdPattern();
}
