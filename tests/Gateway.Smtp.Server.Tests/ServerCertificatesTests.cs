using System.Security.Cryptography.X509Certificates;
using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

/// <summary>Choosing the server certificate by SNI (RFC 6066 3), and serving its chain.</summary>
public sealed class ServerCertificatesTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();

    public void Dispose() => _ca.Dispose();

    private ServerCertificates Set(params string[][] names) =>
        new([.. names.Select(n => new ServerCertificate(_ca.Issue(n), [X509CertificateLoader.LoadCertificate(_ca.Intermediate.RawData)]))]);

    private static string Cn(ServerCertificate certificate) => certificate.Certificate.GetNameInfo(X509NameType.SimpleName, false);

    [Theory]
    [InlineData("mx.example.org", "mx.example.org")]
    [InlineData("MX.Example.ORG", "mx.example.org")]
    [InlineData("mx.example.org.", "mx.example.org")]
    [InlineData("mail.example.net", "mail.example.net")]
    [InlineData("alias.example.net", "mail.example.net")]
    [InlineData("any.wild.test", "*.wild.test")]
    [InlineData("exact.wild.test", "exact.wild.test")]
    public void The_name_the_client_asks_for_picks_the_certificate(string serverName, string expectedCn)
    {
        using var set = Set(["mx.example.org"], ["mail.example.net", "alias.example.net"], ["*.wild.test"], ["exact.wild.test"]);

        Assert.Equal(expectedCn, Cn(set.Select(serverName)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknown.example")]
    [InlineData("wild.test")]
    [InlineData("a.b.wild.test")]
    public void No_name_or_an_unknown_name_gets_the_first_certificate(string? serverName)
    {
        using var set = Set(["mx.example.org"], ["*.wild.test"]);

        Assert.Equal("mx.example.org", Cn(set.Select(serverName)));
    }

    [Fact]
    public void Among_certificates_for_the_same_name_the_first_wins()
    {
        using var set = Set(["first.example", "shared.example"], ["shared.example"]);

        Assert.Equal("first.example", Cn(set.Select("shared.example")));
    }

    [Fact]
    public void Names_come_from_the_subject_alternative_names()
    {
        using var set = Set(["mx.example.org", "*.example.net"]);

        Assert.Equal(["mx.example.org", "*.example.net"], set.All[0].Names);
    }

    [Fact]
    public async Task The_handshake_serves_the_certificate_for_the_sni_name()
    {
        var certificates = Set(["mx.example.org"], ["mail.example.net"]);
        await using var server = await TestServer.StartAsync(o => o with { Certificates = certificates });

        foreach (var (name, expected) in new[] { ("mail.example.net", "mail.example.net"), ("mx.example.org", "mx.example.org"), ("other.test", "mx.example.org") })
        {
            await using var client = await server.ConnectAsync();
            await client.GreetAsync();
            await client.CommandAsync("STARTTLS", 220, "2.0.0");
            await client.StartTlsAsync(name);

            using var remote = X509CertificateLoader.LoadCertificate(client.Tls!.RemoteCertificate!.GetRawCertData());
            Assert.Equal(expected, remote.GetNameInfo(X509NameType.SimpleName, false));
        }
    }
}
