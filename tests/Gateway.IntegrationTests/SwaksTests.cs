using System.Globalization;
using System.Text;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Policy;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>Debian's swaks as the SMTP client: plain, STARTTLS and AUTH against the real gateway.</summary>
public sealed class SwaksTests : IClassFixture<SwaksTests.AuthGatewayFixture>
{
    private const string User = "alice";

    // Test-only credential, generated here; the hash uses fewer iterations than production to keep tests fast.
    private const string Password = "test-only-Pa55word";

    private readonly AuthGatewayFixture _fixture;

    public SwaksTests(AuthGatewayFixture fixture) => _fixture = fixture;

    public sealed class AuthGatewayFixture : GatewayFixture
    {
        protected override TestPolicy CreatePolicy() =>
            new(credentialsFileContent: $"# test-only credentials\n{User}:{PasswordHash.Create(Password, 10_000)}\n");
    }

    private string[] Base(string to) =>
    [
        "--server", "127.0.0.1",
        "--port", _fixture.Gateway.SmtpEndPoint.Port.ToString(CultureInfo.InvariantCulture),
        "--ehlo", "client.example.org",
        "--from", "sender@example.org",
        "--to", to,
        "--timeout", "20",
    ];

    [Fact]
    public async Task Plain_inbound_mail_is_queued()
    {
        var (exit, output) = await ExternalTool.RunAsync("swaks", Base("user@example.test"), TimeSpan.FromSeconds(60));
        Assert.Contains("<-  250 2.1.5", output, StringComparison.Ordinal);
        Assert.Contains("<-  354", output, StringComparison.Ordinal);
        Assert.Contains("<-  250 2.0.0 Ok: queued as ", output, StringComparison.Ordinal);
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Relay_attempt_without_auth_is_refused()
    {
        var (exit, output) = await ExternalTool.RunAsync("swaks", Base("victim@elsewhere.example"), TimeSpan.FromSeconds(60));
        Assert.Contains("<** 554 5.7.1", output, StringComparison.Ordinal);
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Starttls_negotiates_tls_1_2_or_later()
    {
        var (_, output) = await ExternalTool.RunAsync("swaks", [.. Base("user@example.test"), "--tls"], TimeSpan.FromSeconds(60));
        Assert.Contains("<-  220 2.0.0", output, StringComparison.Ordinal);
        Assert.Contains("=== TLS started with cipher TLSv1.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("TLSv1.1", output, StringComparison.Ordinal);
        Assert.Contains("<~  250 2.1.5", output, StringComparison.Ordinal);
        Assert.Contains("<~  250 2.0.0 Ok: queued as ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task Authenticated_clients_may_relay_after_tls(string mechanism)
    {
        var (_, output) = await ExternalTool.RunAsync(
            "swaks",
            [.. Base("friend@elsewhere.example"), "--tls", "--auth", mechanism, "--auth-user", User, "--auth-password", Password],
            TimeSpan.FromSeconds(60));
        Assert.Contains("<~  235 2.7.0", output, StringComparison.Ordinal);
        Assert.Contains("<~  250 2.1.5", output, StringComparison.Ordinal);
        Assert.Contains("<~  250 2.0.0 Ok: queued as ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_authenticated_client_may_not_use_a_sender_it_does_not_own()
    {
        var (exit, output) = await ExternalTool.RunAsync(
            "swaks",
            [.. Base("friend@elsewhere.example"), "--from", "ceo@bank.example", "--tls", "--auth", "PLAIN", "--auth-user", User, "--auth-password", Password],
            TimeSpan.FromSeconds(60));
        Assert.Contains("<~  235 2.7.0", output, StringComparison.Ordinal);
        Assert.Contains("<~* 553 5.7.1 Sender address rejected: not owned by user alice", output, StringComparison.Ordinal);
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task An_authenticated_client_may_not_write_a_from_address_it_does_not_own()
    {
        var (exit, output) = await ExternalTool.RunAsync(
            "swaks",
            [.. Base("friend@elsewhere.example"), "--header", "From: CEO <ceo@bank.example>", "--tls", "--auth", "PLAIN", "--auth-user", User, "--auth-password", Password],
            TimeSpan.FromSeconds(60));
        Assert.Contains("<~  250 2.1.0", output, StringComparison.Ordinal);
        Assert.Contains("<~* 553 5.7.1 From address rejected: not owned by user alice", output, StringComparison.Ordinal);
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task A_wrong_password_gets_535_and_is_logged_without_the_password()
    {
        var (_, output) = await ExternalTool.RunAsync(
            "swaks",
            [.. Base("friend@elsewhere.example"), "--tls", "--auth", "PLAIN", "--auth-user", User, "--auth-password", "wrong-Secret-42"],
            TimeSpan.FromSeconds(60));
        Assert.Contains("<~* 535 5.7.8", output, StringComparison.Ordinal);
        await _fixture.Gateway.WaitForLogAsync(l => l.Contains(User, StringComparison.Ordinal) && l.Contains("uth", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(_fixture.Gateway.StandardOutput, l => l.Contains("wrong-Secret-42", StringComparison.Ordinal) || l.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Auth_is_not_offered_before_tls()
    {
        var (_, output) = await ExternalTool.RunAsync(
            "swaks",
            [.. Base("friend@elsewhere.example"), "--auth", "PLAIN", "--auth-user", User, "--auth-password", Password],
            TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("235 2.7.0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("250-AUTH", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_auth_before_tls_is_538_and_after_tls_checks_the_secret()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(_fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO client.example.org");
        var plainText = await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")));
        Assert.Equal((538, "5.7.11"), (plainText.Code, plainText.EnhancedCode));

        Assert.Equal(220, (await client.CommandAsync("STARTTLS")).Code);
        await client.StartTlsAsync();
        var ehlo = await client.CommandAsync("EHLO client.example.org");
        Assert.Contains("AUTH PLAIN LOGIN", ehlo.Lines);

        var wrong = await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0nope")));
        Assert.Equal((535, "5.7.8"), (wrong.Code, wrong.EnhancedCode));
        var right = await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")));
        Assert.Equal((235, "2.7.0"), (right.Code, right.EnhancedCode));
        var again = await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")));
        Assert.Equal((503, "5.5.1"), (again.Code, again.EnhancedCode));
    }
}
