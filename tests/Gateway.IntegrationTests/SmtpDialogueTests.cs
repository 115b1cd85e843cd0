using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// The SMTP dialogue of the real executable over loopback, each edge case asserting the exact reply code and
/// enhanced status code. The client here is untrusted (loopback is not in trusted_networks).
/// </summary>
public sealed class SmtpDialogueTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<SmtpTestClient> GreetedAsync(bool ehlo = true)
    {
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        Assert.Equal(220, greeting.Code);
        var hello = await client.CommandAsync(ehlo ? "EHLO client.example.org" : "HELO client.example.org");
        Assert.Equal(250, hello.Code);
        return client;
    }

    private static void AssertReply(SmtpResponse reply, int code, string? enhanced)
    {
        Assert.True(reply.Code == code, $"expected {code} {enhanced}, got {reply}");
        Assert.Equal(enhanced, reply.EnhancedCode);
    }

    [Fact]
    public async Task Greeting_names_the_host_and_not_the_software()
    {
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        Assert.Equal(220, greeting.Code);
        Assert.StartsWith("mx.gateway.test ESMTP", greeting.Lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("gateway ", greeting.Lines[0].Replace("mx.gateway.test", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Ehlo_advertises_the_extensions_and_no_auth_before_tls()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        var reply = await client.CommandAsync("EHLO client.example.org");
        Assert.Equal(250, reply.Code);
        Assert.Equal("mx.gateway.test", reply.Lines[0]);
        foreach (var keyword in new[] { "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN", "STARTTLS" })
        {
            Assert.Contains(keyword, reply.Lines);
        }

        Assert.Contains(reply.Lines, l => l.StartsWith("SIZE ", StringComparison.Ordinal));
        Assert.DoesNotContain(reply.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("FROB", 500, "5.5.1")]
    [InlineData("MAIL FROM:<a@example.org>", 503, "5.5.1")]
    [InlineData("RCPT TO:<a@example.test>", 503, "5.5.1")]
    [InlineData("DATA", 503, "5.5.1")]
    [InlineData("NOOP", 250, "2.0.0")]
    [InlineData("RSET", 250, "2.0.0")]
    [InlineData("VRFY postmaster", 252, "2.5.0")]
    [InlineData("EXPN staff", 502, "5.5.1")]
    [InlineData("HELP", 214, "2.0.0")]
    [InlineData("QUIT", 221, "2.0.0")]
    public async Task Commands_before_helo_get_the_right_reply(string command, int code, string enhanced)
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        var reply = await client.CommandAsync(command);
        Assert.Equal(code, reply.Code);
        if (reply.EnhancedCode is not null)
        {
            Assert.Equal(enhanced, reply.EnhancedCode);
        }
    }

    [Theory]
    [InlineData("MAIL FROM:a@example.org", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@@example.org>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@example.org> FROB=1", 555, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=999999999999", 552, "5.3.4")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=abc", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> BODY=BINARYMIME", 555, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> RET=FULL ENVID=abc+2Bdef", 250, "2.1.0")]
    [InlineData("MAIL FROM:<>", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> BODY=8BITMIME", 250, "2.1.0")]
    [InlineData("DATA extra", 501, "5.5.4")]
    [InlineData("STARTTLS now", 501, "5.5.4")]
    [InlineData("AUTH PLAIN", 502, "5.5.1")]
    public async Task Command_syntax_and_parameters_are_checked(string command, int code, string enhanced)
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync(command), code, enhanced);
    }

    [Fact]
    public async Task Esmtp_parameters_after_helo_are_refused()
    {
        await using var client = await GreetedAsync(ehlo: false);
        AssertReply(await client.CommandAsync("MAIL FROM:<a@example.org> SIZE=100"), 555, "5.5.4");
    }

    [Fact]
    public async Task A_command_line_over_512_octets_is_refused_and_the_session_goes_on()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("NOOP " + new string('x', 600)), 500, "5.5.2");
        AssertReply(await client.CommandAsync("NOOP"), 250, "2.0.0");
    }

    [Fact]
    public async Task A_command_ended_by_a_bare_lf_is_refused()
    {
        await using var client = await GreetedAsync();
        await client.SendRawAsync("NOOP\n");
        AssertReply(await client.ReadReplyAsync(), 500, "5.5.2");
        AssertReply(await client.CommandAsync("NOOP"), 250, "2.0.0");
    }

    [Fact]
    public async Task Nul_and_bare_cr_in_a_command_are_refused()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("NOOP a\0b"), 500, "5.5.2");
        AssertReply(await client.CommandAsync("NOOP a\rb"), 500, "5.5.2");
    }

    [Fact]
    public async Task Eight_bit_addresses_need_smtputf8()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<jörg@example.org>", utf8: true), 553, "5.6.7");
        AssertReply(await client.CommandAsync("MAIL FROM:<jörg@example.org> SMTPUTF8", utf8: true), 250, "2.1.0");
        AssertReply(await client.CommandAsync("RCPT TO:<jörg@example.test>", utf8: true), 250, "2.1.5");
    }

    [Fact]
    public async Task Recipients_beyond_the_limit_get_452_and_the_first_ones_stay()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<a@example.org>"), 250, "2.1.0");
        for (var i = 0; i < 5; i++)
        {
            AssertReply(await client.CommandAsync($"RCPT TO:<u{i}@example.test>"), 250, "2.1.5");
        }

        AssertReply(await client.CommandAsync("RCPT TO:<u5@example.test>"), 452, "4.5.3");
        AssertReply(await client.CommandAsync("DATA"), 354, null);
    }

    [Fact]
    public async Task Data_is_answered_with_the_queue_id_once_spooled()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<sender@example.org>"), 250, "2.1.0");
        AssertReply(await client.CommandAsync("RCPT TO:<user@example.test>"), 250, "2.1.5");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        var reply = await client.CommandAsync("Subject: hi\r\n\r\nbody\r\n.");
        AssertReply(reply, 250, "2.0.0");
        Assert.Matches("^2.0.0 Ok: queued as [0-9a-v]{16}$", reply.Lines[0]);
        AssertReply(await client.CommandAsync("NOOP"), 250, "2.0.0");
    }

    [Fact]
    public async Task Data_without_valid_recipients_is_554()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<sender@example.org>"), 250, "2.1.0");
        AssertReply(await client.CommandAsync("RCPT TO:<victim@elsewhere.example>"), 554, "5.7.1");
        AssertReply(await client.CommandAsync("DATA"), 554, "5.5.1");
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\r")]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\r")]
    public async Task Smuggled_end_of_data_markers_do_not_end_data(string fakeEnd)
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<sender@example.org>"), 250, "2.1.0");
        AssertReply(await client.CommandAsync("RCPT TO:<user@example.test>"), 250, "2.1.5");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);

        // The smuggled transaction after the fake end must be read as message text, not as commands.
        await client.SendRawAsync($"Subject: x\r\n\r\nbody{fakeEnd}MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\n");
        await client.SendRawAsync("smuggled\r\n.\r\n");
        var reply = await client.ReadReplyAsync();
        AssertReply(reply, 550, "5.5.2");
        AssertReply(await client.CommandAsync("NOOP"), 250, "2.0.0");
    }

    [Fact]
    public async Task A_pipelined_transaction_gets_its_replies_in_order()
    {
        await using var client = await GreetedAsync();
        await client.SendRawAsync("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@elsewhere.example>\r\nRCPT TO:<d@ours.test>\r\nDATA\r\n");
        AssertReply(await client.ReadReplyAsync(), 250, "2.1.0");
        AssertReply(await client.ReadReplyAsync(), 250, "2.1.5");
        AssertReply(await client.ReadReplyAsync(), 554, "5.7.1");
        AssertReply(await client.ReadReplyAsync(), 250, "2.1.5");
        Assert.Equal(354, (await client.ReadReplyAsync()).Code);
        await client.SendRawAsync("Subject: p\r\n\r\n..dot-stuffed\r\n.\r\nRSET\r\nQUIT\r\n");
        AssertReply(await client.ReadReplyAsync(), 250, "2.0.0");
        AssertReply(await client.ReadReplyAsync(), 250, "2.0.0");
        AssertReply(await client.ReadReplyAsync(), 221, "2.0.0");
    }

    [Fact]
    public async Task Bdat_chunks_are_acknowledged_and_last_gets_the_final_reply()
    {
        await using var client = await GreetedAsync();
        AssertReply(await client.CommandAsync("MAIL FROM:<a@example.org>"), 250, "2.1.0");
        AssertReply(await client.CommandAsync("RCPT TO:<b@example.test>"), 250, "2.1.5");
        await client.SendRawAsync("BDAT 14\r\nSubject: b\r\n\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        await client.SendRawAsync("BDAT 6 LAST\r\nbody\r\n");
        AssertReply(await client.ReadReplyAsync(), 250, "2.0.0");
        AssertReply(await client.CommandAsync("DATA"), 503, "5.5.1");
    }

    [Fact]
    public async Task Plaintext_pipelined_after_starttls_is_discarded()
    {
        await using var client = await GreetedAsync();
        await client.SendRawAsync("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
        AssertReply(await client.ReadReplyAsync(), 220, "2.0.0");
        await client.StartTlsAsync();

        // If the injected MAIL had survived the upgrade it would be answered now, inside TLS.
        AssertReply(await client.CommandAsync("MAIL FROM:<a@example.org>"), 503, "5.5.1");
        var ehlo = await client.CommandAsync("EHLO client.example.org");
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        AssertReply(await client.CommandAsync("MAIL FROM:<a@example.org>"), 250, "2.1.0");
    }

    [Fact]
    public async Task Too_many_errors_end_the_session_with_421()
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(fixture.Gateway.SmtpEndPoint);
        await using var _ = client;
        SmtpResponse? last = null;
        for (var i = 0; i < 60 && last?.Code != 421; i++)
        {
            last = await client.CommandAsync("FROB");
        }

        Assert.NotNull(last);
        AssertReply(last, 421, "4.7.0");
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
    }
}
