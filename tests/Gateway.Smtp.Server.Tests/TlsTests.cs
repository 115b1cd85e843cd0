using System.Security.Authentication;
using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

public sealed class TlsTests
{
    [Fact]
    public async Task Starttls_upgrades_and_resets_the_session()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
        await client.CommandAsync("RSET", 250);

        await client.CommandAsync("STARTTLS", 220, "2.0.0");
        await client.StartTlsAsync();
        Assert.True(client.Tls!.SslProtocol >= SslProtocols.Tls12);

        // RFC 3207 4.2: the greeting is forgotten; EHLO again, now without STARTTLS.
        await client.CommandAsync("MAIL FROM:<a@x.example>", 503, "5.5.1");
        var ehlo = await client.CommandAsync("EHLO client.example", 250);
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        await client.CommandAsync("STARTTLS", 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");

        var facts = server.Handler.MailFacts.Last();
        Assert.NotNull(facts.Tls);
        Assert.True(server.Logs.Has(1040));
    }

    [Fact]
    public async Task Plaintext_pipelined_after_starttls_is_discarded()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.SendRawAsync("STARTTLS\r\nNOOP\r\n");
        await client.ExpectAsync(220, "2.0.0");
        await client.StartTlsAsync();

        // Only the reply to our own command may arrive inside TLS, none to the injected NOOP.
        await client.CommandAsync("EHLO client.example", 250);
        Assert.True(server.Logs.Has(1042));
    }

    [Fact]
    public async Task Starttls_with_arguments_is_a_syntax_error()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("STARTTLS now", 501, "5.5.4");
    }

    [Fact]
    public async Task Starttls_without_a_certificate_is_not_offered()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("STARTTLS", 502, "5.5.1");
    }

    [Fact]
    public async Task A_failed_handshake_closes_the_connection_silently()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);

        await client.SendRawAsync("this is not a TLS ClientHello\r\n");

        Assert.True(await client.IsClosedAsync());
        Assert.True(server.Logs.Has(1041));
    }

    [Fact]
    public async Task An_implicit_tls_listener_handshakes_before_the_greeting()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) },
            l => l with { Tls = ListenerTlsMode.Implicit });
        await using var client = await server.ConnectAsync();

        await client.StartTlsAsync();
        await client.ExpectAsync(220);
        var ehlo = await client.CommandAsync("EHLO client.example", 250);
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
    }

    [Fact]
    public async Task A_client_that_never_starts_the_handshake_is_dropped_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);

        Assert.True(await client.IsClosedAsync());
        Assert.True(server.Logs.Has(1041));
    }
}
