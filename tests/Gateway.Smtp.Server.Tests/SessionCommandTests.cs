using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

public sealed class SessionCommandTests
{
    [Fact]
    public async Task Greeting_names_the_host_and_nothing_else()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var greeting = await client.ExpectAsync(220);

        Assert.Equal("mx.test ESMTP", greeting.Last);
    }

    [Fact]
    public async Task Ehlo_lists_the_extensions_in_order_without_starttls_when_there_is_no_certificate()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var ehlo = await client.GreetAsync();

        Assert.Equal(
            ["mx.test", "PIPELINING", "SIZE 36700160", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN"],
            ehlo.Lines);
    }

    [Fact]
    public async Task Ehlo_offers_starttls_with_a_certificate_but_never_auth_before_tls()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), AuthEnabled = true },
            credentials: new TestCredentials());
        await using var client = await server.ConnectAsync();

        var ehlo = await client.GreetAsync();

        Assert.Equal("STARTTLS", ehlo.Lines[^1]);
        Assert.DoesNotContain(ehlo.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ehlo_on_a_listener_without_tls_does_not_offer_starttls_even_with_a_certificate()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) },
            l => l with { Tls = ListenerTlsMode.None });
        await using var client = await server.ConnectAsync();

        var ehlo = await client.GreetAsync();

        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        await client.CommandAsync("STARTTLS", 502, "5.5.1");
    }

    [Fact]
    public async Task Helo_answers_with_the_host_and_refuses_esmtp_parameters_afterwards()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        var helo = await client.CommandAsync("HELO client.example", 250);
        Assert.Equal(["mx.test"], helo.Lines);

        await client.CommandAsync("MAIL FROM:<a@x.example> SIZE=100", 555, "5.5.4");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
    }

    [Fact]
    public async Task Commands_out_of_sequence_get_503()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        await client.CommandAsync("MAIL FROM:<a@x.example>", 503, "5.5.1");
        await client.CommandAsync("EHLO client.example", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 503, "5.5.1");
        await client.CommandAsync("DATA", 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
        await client.CommandAsync("DATA", 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<c@x.example>", 503, "5.5.1");
    }

    [Fact]
    public async Task Unknown_commands_get_500_5_5_1()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("XYZZY now", 500, "5.5.1");
        await client.CommandAsync("NOOP", 250, "2.0.0");
    }

    [Fact]
    public async Task An_overlong_command_line_gets_500_and_the_rest_of_it_is_not_executed()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        // The tail of the long line looks like a command; it must be discarded with the line.
        await client.SendRawAsync("NOOP " + new string('a', 600) + " RSET\r\n");
        await client.ExpectAsync(500, "5.5.2");
        await client.CommandAsync("NOOP", 250, "2.0.0");
    }

    [Fact]
    public async Task Mail_and_rcpt_lines_lengthened_by_dsn_parameters_are_accepted()
    {
        // RFC 5321 4.5.3.1.4, RFC 3461 4: an ORCPT of a long address makes a correct RCPT line longer than 512 octets.
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        // 254 octets: as long as an address can be (RFC 5321 4.5.3.1.3 counts the brackets too).
        var address = new string('o', 63) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example";
        await client.CommandAsync($"MAIL FROM:<{address}> SIZE=1000 RET=HDRS ENVID={new string('e', 100)} BODY=8BITMIME", 250, "2.1.0");
        await client.CommandAsync($"RCPT TO:<{address}> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;{address.Replace("@", "+40", StringComparison.Ordinal)}", 250, "2.1.5");
        Assert.Equal(100, server.Handler.MailParameters.Single().EnvelopeId?.Length);

        // The room is for parameters only: other commands keep the plain limit.
        await client.CommandAsync("NOOP " + new string('x', 600), 500, "5.5.2");
    }

    [Fact]
    public async Task A_command_ended_by_a_bare_lf_is_refused_not_executed()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.SendRawAsync("MAIL FROM:<a@x.example>\n");
        await client.ExpectAsync(500, "5.5.2");

        // Had the MAIL been executed, a second MAIL would be out of sequence.
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
    }

    [Fact]
    public async Task A_nul_in_a_command_line_is_a_syntax_error()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("NOOP\0x", 500, "5.5.2");
    }

    [Fact]
    public async Task Rset_clears_the_transaction_but_keeps_the_greeting()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250, "2.1.5");
        await client.CommandAsync("RSET", 250, "2.0.0");
        await client.CommandAsync("RCPT TO:<b@ours.example>", 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
    }

    [Fact]
    public async Task Vrfy_answers_252_when_enabled()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("VRFY postmaster", 252, "2.5.0");
        await client.CommandAsync("EXPN staff", 502, "5.5.1");
    }

    [Fact]
    public async Task Vrfy_answers_502_when_disabled()
    {
        await using var server = await TestServer.StartAsync(o => o with { VrfyEnabled = false });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("VRFY postmaster", 502, "5.5.1");
    }

    [Fact]
    public async Task Help_lists_commands_without_naming_the_software()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        var help = await client.CommandAsync("HELP", 214, "2.0.0");

        Assert.Contains("EHLO", help.Last, StringComparison.Ordinal);
        Assert.DoesNotContain("Gateway", help.Last, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Quit_says_bye_and_closes()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("QUIT", 221, "2.0.0");

        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.SendRawAsync("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@ours.example>\r\nRCPT TO:<c@denied.example>\r\nRCPT TO:<d@ours.example>\r\nDATA\r\n");

        await client.ExpectAsync(250, "2.1.0");
        await client.ExpectAsync(250, "2.1.5");
        await client.ExpectAsync(554, "5.7.1");
        await client.ExpectAsync(250, "2.1.5");
        await client.ExpectAsync(354);
        await client.SendRawAsync("Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n");
        await client.ExpectAsync(250, "2.0.0");
        await client.ExpectAsync(221, "2.0.0");

        var message = Assert.Single(server.Handler.Messages);
        Assert.Equal(["b@ours.example", "d@ours.example"], message.Envelope.Recipients.Select(r => r.Address.ToString()));
    }

    [Fact]
    public async Task Mail_before_tls_is_refused_when_tls_is_required()
    {
        await using var server = await TestServer.StartAsync(o => o with { RequireTls = true, Certificates = ServerCertificates.Of(TestCertificates.Server) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("MAIL FROM:<a@x.example>", 530, "5.7.0");
    }

    [Fact]
    public async Task A_handler_exception_at_mail_is_a_local_error_never_acceptance()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.MailThrows = true;
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("MAIL FROM:<a@x.example>", 451, "4.3.0");
        await client.CommandAsync("RCPT TO:<b@ours.example>", 503, "5.5.1");
        Assert.True(server.Logs.Has(1062));
    }

    [Fact]
    public async Task A_connect_stage_rejection_is_sent_instead_of_the_greeting()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.OnConnect = _ => Gateway.Abstractions.Verdict.Disconnect(new Gateway.Abstractions.SmtpReply(554, "5.7.1", "Go away"));
        await using var client = await server.ConnectAsync();

        await client.ExpectAsync(554, "5.7.1");

        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task The_handler_sees_the_client_and_the_helo_name()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync("client.example");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");

        var facts = Assert.Single(server.Handler.MailFacts);
        Assert.Equal("client.example", facts.HeloName);
        Assert.Equal(Gateway.Abstractions.GreetingKind.Ehlo, facts.Greeting);
        Assert.Equal("127.0.0.1", facts.ClientAddress.ToString());
        Assert.Equal("test", facts.ListenerName);
        Assert.False(facts.ViaProxyProtocol);
        Assert.Null(facts.Tls);
    }

    [Fact]
    public async Task A_reply_text_from_policy_cannot_inject_reply_lines()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.OnConnect = _ => Gateway.Abstractions.Verdict.Disconnect(new Gateway.Abstractions.SmtpReply(554, "5.7.1", "No\r\n250 fake"));
        await using var client = await server.ConnectAsync();

        var reply = await client.ExpectAsync(554, "5.7.1");

        Assert.Equal("5.7.1 No??250 fake", reply.Last);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Sessions_get_distinct_ids()
    {
        await using var server = await TestServer.StartAsync();
        await using (var first = await server.ConnectAsync())
        {
            await first.ExpectAsync(220);
        }

        await using (var second = await server.ConnectAsync())
        {
            await second.ExpectAsync(220);
        }

        var ids = server.Provider.Opened.Select(f => f.SessionId).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(ids, id => Assert.InRange(id.Length, 9, 20));
    }

    [Fact]
    public async Task An_ipv6_listener_serves_loopback_clients()
    {
        await using var server = await TestServer.StartAsync(listener: l => l with { EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 0) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        Assert.Equal(System.Net.IPAddress.IPv6Loopback, server.Handler.MailFacts.Single().ClientAddress);
    }

    [Fact]
    public async Task A_new_ehlo_resets_the_transaction()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");

        await client.CommandAsync("EHLO again.example", 250);

        await client.CommandAsync("RCPT TO:<b@ours.example>", 503, "5.5.1");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
    }
}
