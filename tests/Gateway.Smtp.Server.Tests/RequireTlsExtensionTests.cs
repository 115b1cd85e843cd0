using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

/// <summary>REQUIRETLS (RFC 8689 2) is offered and taken only inside TLS.</summary>
public sealed class RequireTlsExtensionTests
{
    [Fact]
    public async Task Requiretls_is_advertised_after_starttls_and_not_before()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();

        var plain = await client.GreetAsync();
        Assert.DoesNotContain("REQUIRETLS", plain.Lines);
        await client.CommandAsync("MAIL FROM:<a@x.example> REQUIRETLS", 530, "5.7.10");

        await client.CommandAsync("STARTTLS", 220, "2.0.0");
        await client.StartTlsAsync();
        var secure = await client.CommandAsync("EHLO client.example", 250);
        Assert.Contains("REQUIRETLS", secure.Lines);

        await client.CommandAsync("MAIL FROM:<a@x.example> REQUIRETLS=YES", 501, "5.5.4");
        await client.CommandAsync("MAIL FROM:<a@x.example> REQUIRETLS", 250, "2.1.0");
        Assert.True(server.Handler.MailParameters.Last().RequireTls);
    }

    [Fact]
    public async Task Switched_off_it_is_not_advertised_even_inside_tls()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), RequireTlsExtension = false });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220, "2.0.0");
        await client.StartTlsAsync();

        var secure = await client.CommandAsync("EHLO client.example", 250);

        Assert.DoesNotContain("REQUIRETLS", secure.Lines);
        await client.CommandAsync("MAIL FROM:<a@x.example> REQUIRETLS", 530, "5.7.10");
    }
}
