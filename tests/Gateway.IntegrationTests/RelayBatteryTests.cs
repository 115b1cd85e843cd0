using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// The open-relay battery: every address form that has been used to trick a gateway into relaying, sent as a
/// real RCPT TO over SMTP to the real gateway from an untrusted client. Our domains are example.test and
/// ours.test. What each form means is documented in README ("Relay control").
/// </summary>
public sealed class RelayBatteryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    public static TheoryData<string, int, string> UntrustedForms => new()
    {
        // Plain and case-varied external destinations.
        { "<victim@elsewhere.example>", 554, "5.7.1" },
        { "<VICTIM@ELSEWHERE.EXAMPLE>", 554, "5.7.1" },
        { "<\"victim\"@elsewhere.example>", 554, "5.7.1" },
        // Look-alike domains: a subdomain, a suffix without a dot, ours as a prefix.
        { "<victim@sub.example.test>", 554, "5.7.1" },
        { "<victim@evilexample.test>", 554, "5.7.1" },
        { "<victim@example.test.elsewhere.example>", 554, "5.7.1" },
        { "<victim@xn--exmple-cua.test>", 554, "5.7.1" },
        // Percent hack and bang paths behind our domain: some internal servers would route them onwards.
        { "<victim%elsewhere.example@example.test>", 554, "5.7.1" },
        { "<victim%elsewhere.example%ours.test@example.test>", 554, "5.7.1" },
        { "<elsewhere.example!victim@example.test>", 554, "5.7.1" },
        { "<other.example!elsewhere.example!victim@ours.test>", 554, "5.7.1" },
        { "<victim%elsewhere.example@Example.Test>", 554, "5.7.1" },
        // Quoted local parts hiding '@' or '%'.
        { "<\"victim@elsewhere.example\"@example.test>", 554, "5.7.1" },
        { "<\"victim%elsewhere.example\"@example.test>", 554, "5.7.1" },
        { "<\"victim\\@elsewhere.example\"@example.test>", 554, "5.7.1" },
        // Source routes are ignored (RFC 5321 4.1.1.3): the final mailbox decides.
        { "<@example.test:victim@elsewhere.example>", 554, "5.7.1" },
        { "<@example.test,@ours.test:victim@elsewhere.example>", 554, "5.7.1" },
        // Address literals are never ours.
        { "<victim@[192.0.2.1]>", 554, "5.7.1" },
        { "<victim@[127.0.0.1]>", 554, "5.7.1" },
        { "<victim@[IPv6:2001:db8::1]>", 554, "5.7.1" },
        // Malformed forms are syntax errors, not a second reading.
        { "<victim@elsewhere.example@example.test>", 501, "5.1.3" },
        { "<victim\\@elsewhere.example@example.test>", 501, "5.1.3" },
        { "<victim@example.test.>", 501, "5.1.3" },
        { "<victim@elsewhere.example.>", 501, "5.1.3" },
        { "<victim@example..test>", 501, "5.1.3" },
        { "<victim@-example.test>", 501, "5.1.3" },
        { "<victim@192.0.2.1>", 501, "5.1.3" },
        { "<victim@[192.0.2.256]>", 501, "5.1.3" },
        { "<victim@[tag:content]>", 501, "5.1.3" },
        { "<>", 501, "5.1.3" },
        { "<victim@example.test> <x@elsewhere.example>", 501, "5.5.4" },
        // DSN parameters never change the destination.
        { "<victim@elsewhere.example> NOTIFY=NEVER ORCPT=rfc822;user@example.test", 554, "5.7.1" },
        // Local forms that must be accepted.
        { "<user@example.test>", 250, "2.1.5" },
        { "<USER@EXAMPLE.TEST>", 250, "2.1.5" },
        { "<user@Ours.Test>", 250, "2.1.5" },
        { "<\"first last\"@example.test>", 250, "2.1.5" },
        { "<@elsewhere.example:user@example.test>", 250, "2.1.5" },
        { "<Postmaster>", 250, "2.1.5" },
        { "<postmaster@example.test>", 250, "2.1.5" },
    };

    [Theory]
    [MemberData(nameof(UntrustedForms))]
    public async Task Relay_attempts_from_an_untrusted_client_are_refused(string path, int code, string enhanced)
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        Assert.Equal(250, (await client.CommandAsync("EHLO attacker.example")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<spammer@elsewhere.example>")).Code);
        var reply = await client.CommandAsync("RCPT TO:" + path);
        Assert.True(reply.Code == code && reply.EnhancedCode == enhanced, $"RCPT TO:{path} -> {reply}, expected {code} {enhanced}");
    }

    [Fact]
    public async Task Utf8_domains_need_smtputf8_and_are_not_ours_unless_listed()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO attacker.example");
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<spammer@elsewhere.example>")).Code);
        var plain = await client.CommandAsync("RCPT TO:<victim@exämple.test>", utf8: true);
        Assert.Equal((553, "5.6.7"), (plain.Code, plain.EnhancedCode));

        Assert.Equal(250, (await client.CommandAsync("RSET")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<spammer@elsewhere.example> SMTPUTF8")).Code);
        var utf8 = await client.CommandAsync("RCPT TO:<victim@exämple.test>", utf8: true);
        Assert.Equal((554, "5.7.1"), (utf8.Code, utf8.EnhancedCode));
    }

    [Fact]
    public async Task Null_sender_is_accepted_so_bounces_can_flow()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO bounce.example");
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<user@example.test>")).Code);
        Assert.Equal(554, (await client.CommandAsync("RCPT TO:<user@elsewhere.example>")).Code);
    }

    [Fact]
    public async Task Relay_denials_are_logged_with_the_reason()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO attacker.example");
        await client.CommandAsync("MAIL FROM:<spammer@elsewhere.example>");
        await client.CommandAsync("RCPT TO:<logged-victim%elsewhere.example@example.test>");
        var line = await fixture.Gateway.WaitForLogAsync(l => l.Contains("logged-victim", StringComparison.Ordinal) && l.Contains("Relay denied", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("routing", line, StringComparison.OrdinalIgnoreCase);
        // Who tried: the name the client gave and its envelope sender, what an admin searches the log for.
        Assert.Contains("attacker.example", line, StringComparison.Ordinal);
        Assert.Contains("spammer@elsewhere.example", line, StringComparison.Ordinal);
    }
}

/// <summary>The same gateway seen from an internal server on a trusted network: outbound relay is allowed.</summary>
public sealed class TrustedRelayTests(TrustedGatewayFixture fixture) : IClassFixture<TrustedGatewayFixture>
{
    [Theory]
    [InlineData("<friend@elsewhere.example>")]
    [InlineData("<friend@[192.0.2.1]>")]
    [InlineData("<friend%elsewhere.example@example.test>")]
    [InlineData("<user@example.test>")]
    public async Task A_trusted_client_may_relay(string path)
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO internal.example.test");
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<staff@example.test>")).Code);
        var reply = await client.CommandAsync("RCPT TO:" + path);
        Assert.True(reply.Code == 250 && reply.EnhancedCode == "2.1.5", $"RCPT TO:{path} -> {reply}");
    }

    [Fact]
    public async Task A_trusted_client_still_gets_syntax_errors()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO internal.example.test");
        await client.CommandAsync("MAIL FROM:<staff@example.test>");
        var reply = await client.CommandAsync("RCPT TO:<a@b@elsewhere.example>");
        Assert.Equal((501, "5.1.3"), (reply.Code, reply.EnhancedCode));
    }
}
