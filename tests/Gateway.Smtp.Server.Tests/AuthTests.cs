using System.Text;
using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

public sealed class AuthTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static Task<TestServer> StartAsync() =>
        TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), AuthEnabled = true }, credentials: new TestCredentials());

    private static async Task<SmtpTestClient> ConnectTlsAsync(TestServer server)
    {
        var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync();
        var ehlo = await client.CommandAsync("EHLO client.example", 250);
        Assert.Equal("AUTH PLAIN LOGIN", ehlo.Lines[^1]);
        return client;
    }

    [Fact]
    public async Task A_listener_that_requires_auth_refuses_mail_until_auth_succeeds_asking_for_tls_first()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), AuthEnabled = true, RequireAuth = true },
            credentials: new TestCredentials());
        await using var plain = await server.ConnectAsync();
        await plain.GreetAsync();
        await plain.CommandAsync("EHLO client.example", 250);
        var beforeTls = await plain.CommandAsync("MAIL FROM:<alice@ours.example>", 530, "5.7.0");
        Assert.Contains("STARTTLS", beforeTls.Lines[^1], StringComparison.Ordinal);

        await using var client = await ConnectTlsAsync(server);
        var refused = await client.CommandAsync("MAIL FROM:<alice@ours.example>", 530, "5.7.0");
        Assert.Contains("Authentication required", refused.Lines[^1], StringComparison.Ordinal);
        await client.CommandAsync("VRFY alice", 530, "5.7.0");
        await client.CommandAsync("EXPN staff", 530, "5.7.0");
        await client.CommandAsync("NOOP", 250);
        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0wrong"), 535, "5.7.8");
        await client.CommandAsync("MAIL FROM:<alice@ours.example>", 530, "5.7.0");
        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret pass"), 235, "2.7.0");
        await client.CommandAsync("MAIL FROM:<alice@ours.example>", 250);
        await client.CommandAsync("VRFY alice", 252, "2.5.0");

        // Only the authenticated MAIL reached the handler.
        Assert.Equal(["alice"], server.Handler.MailFacts.Select(f => f.AuthenticatedUser));
    }

    [Fact]
    public async Task Auth_before_tls_needs_encryption()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret pass"), 538, "5.7.11");
    }

    [Fact]
    public async Task Auth_is_refused_when_not_enabled()
    {
        await using var server = await TestServer.StartAsync(o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("AUTH PLAIN", 502, "5.5.1");
    }

    [Fact]
    public async Task Plain_with_initial_response_succeeds_and_the_user_reaches_the_handler()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret pass"), 235, "2.7.0");
        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret pass"), 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<alice@ours.example>", 250);

        Assert.Equal("alice", server.Handler.MailFacts.Last().AuthenticatedUser);
        Assert.DoesNotContain("s3cret", server.Logs.All, StringComparison.Ordinal);
        Assert.True(server.Logs.Has(1050));
    }

    [Fact]
    public async Task Plain_with_an_empty_challenge_succeeds()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        var challenge = await client.CommandAsync("AUTH PLAIN", 334);
        Assert.Equal("", challenge.Last);
        await client.CommandAsync(B64("alice\0alice\0s3cret pass"), 235, "2.7.0");
    }

    [Fact]
    public async Task Login_succeeds()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        var user = await client.CommandAsync("AUTH LOGIN", 334);
        Assert.Equal("VXNlcm5hbWU6", user.Last);
        var password = await client.CommandAsync(B64("alice"), 334);
        Assert.Equal("UGFzc3dvcmQ6", password.Last);
        await client.CommandAsync(B64("s3cret pass"), 235, "2.7.0");
    }

    [Fact]
    public async Task Wrong_credentials_get_535_and_are_logged_without_the_password()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0wrong-guess"), 535, "5.7.8");
        await client.CommandAsync("AUTH LOGIN " + B64("alice"), 334);
        await client.CommandAsync(B64("another-guess"), 535, "5.7.8");

        Assert.True(server.Logs.Has(1051));
        Assert.Contains("alice", server.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", server.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_different_authorization_identity_is_refused()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        await client.CommandAsync("AUTH PLAIN " + B64("bob\0alice\0s3cret pass"), 535, "5.7.8");
    }

    [Fact]
    public async Task Star_cancels_and_bad_base64_is_a_syntax_error()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        await client.CommandAsync("AUTH LOGIN", 334);
        await client.CommandAsync("*", 501, "5.0.0");
        await client.CommandAsync("AUTH PLAIN", 334);
        await client.CommandAsync("!!!not base64!!!", 501, "5.5.2");
        await client.CommandAsync("AUTH CRAM-MD5", 504, "5.5.4");
    }

    [Fact]
    public async Task An_overlong_auth_line_gets_500_5_5_6()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);

        await client.CommandAsync("AUTH PLAIN", 334);

        // Over 512 octets is fine for AUTH (RFC 4954 4: 12288); beyond 12288 is not.
        await client.CommandAsync(new string('A', 13000), 500, "5.5.6");
        await client.CommandAsync("NOOP", 250);
    }

    [Fact]
    public async Task Auth_during_a_transaction_is_out_of_sequence()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectTlsAsync(server);
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret pass"), 503, "5.5.1");
    }
}
