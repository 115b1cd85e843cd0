using Gateway.Abstractions;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

public sealed class DataTests
{
    private static async Task<SmtpTestClient> StartTransactionAsync(TestServer server, params string[] recipients)
    {
        var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<sender@x.example>", 250, "2.1.0");
        foreach (var recipient in recipients.Length == 0 ? ["rcpt@ours.example"] : recipients)
        {
            await client.CommandAsync($"RCPT TO:<{recipient}>", 250, "2.1.5");
        }

        return client;
    }

    [Fact]
    public async Task Body_reaches_the_writer_dot_unstuffed_with_the_envelope()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server, "in@ours.example", "out@elsewhere.example");

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: t\r\n\r\n..leading dot\r\n..\r\nend\r\n.\r\n");
        await client.ExpectAsync(250, "2.0.0");

        var message = Assert.Single(server.Handler.Messages);
        Assert.Equal("Subject: t\r\n\r\n.leading dot\r\n.\r\nend\r\n", message.BodyText);
        Assert.Equal("sender@x.example", message.Envelope.From!.ToString());
        Assert.Equal(
            [MailDirection.Inbound, MailDirection.Outbound],
            message.Envelope.Recipients.Select(r => r.Direction));
        Assert.False(message.Envelope.ViaChunking);
        Assert.StartsWith(message.Envelope.Session.SessionId + ".", message.Envelope.TransactionId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactions_in_one_session_get_distinct_ids_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("a\r\n.\r\n");
        await client.ExpectAsync(250);
        await client.CommandAsync("MAIL FROM:<>", 250, "2.1.0");
        await client.CommandAsync("RCPT TO:<rcpt@ours.example>", 250, "2.1.5");
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("b\r\n.\r\n");
        await client.ExpectAsync(250);

        var ids = server.Handler.Messages.Select(m => m.Envelope.TransactionId).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Null(server.Handler.Messages.Last().Envelope.From);
    }

    [Fact]
    public async Task An_empty_body_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync(".\r\n");
        await client.ExpectAsync(250);

        Assert.Empty(Assert.Single(server.Handler.Messages).Body);
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\r")]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\r")]
    public async Task Smuggling_terminators_do_not_end_data_and_the_message_is_refused(string fake)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);

        // Everything after the fake terminator is still body: the smuggled MAIL must not run.
        await client.SendRawAsync("Subject: a\r\n\r\nx" + fake + "MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@ours.example>\r\nDATA\r\n\r\nsmuggled\r\n.\r\n");
        await client.ExpectAsync(550, "5.5.2");
        await client.CommandAsync("NOOP", 250, "2.0.0");

        Assert.Empty(server.Handler.Messages);
        Assert.All(server.Handler.Writers, w => Assert.True(w.Disposed && !w.Completed));
    }

    [Fact]
    public async Task A_bare_lf_in_the_body_is_read_to_the_end_and_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("line one\nline two\r\n.\r\n");
        await client.ExpectAsync(550, "5.5.2");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task A_nul_in_the_body_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("a\0b\r\n.\r\n");
        await client.ExpectAsync(550, "5.6.0");
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task A_body_line_over_1000_octets_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync(new string('x', 1200) + "\r\n.\r\n");
        var reply = await client.ExpectAsync(550, "5.6.0");
        Assert.Contains("1000", reply.Last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_size_over_the_limit_is_refused_at_mail()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxMessageSize = 1000 });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("MAIL FROM:<a@x.example> SIZE=1001", 552, "5.3.4");
        await client.CommandAsync("MAIL FROM:<a@x.example> SIZE=1000", 250, "2.1.0");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_read_discarded_and_refused()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxMessageSize = 1000 });
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        var line = new string('y', 98) + "\r\n";
        await client.SendRawAsync(string.Concat(Enumerable.Repeat(line, 50)) + ".\r\n");
        await client.ExpectAsync(552, "5.3.4");
        await client.CommandAsync("NOOP", 250, "2.0.0");

        Assert.Empty(server.Handler.Messages);
        var writer = Assert.Single(server.Handler.Writers);
        Assert.True(writer.Disposed);
        Assert.False(writer.Completed);
    }

    [Fact]
    public async Task Recipients_beyond_the_limit_get_452_and_the_rest_is_kept()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxRecipients = 2, MaxErrors = 3 });
        await using var client = await StartTransactionAsync(server, "a@ours.example", "b@ours.example");

        await client.CommandAsync("RCPT TO:<c@ours.example>", 452, "4.5.3");
        await client.CommandAsync("RCPT TO:<d@ours.example>", 452, "4.5.3");
        await client.CommandAsync("RCPT TO:<e@ours.example>", 452, "4.5.3");
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("x\r\n.\r\n");
        await client.ExpectAsync(250);

        Assert.Equal(2, Assert.Single(server.Handler.Messages).Envelope.Recipients.Count);
    }

    [Fact]
    public async Task A_recipient_given_twice_is_kept_once()
    {
        // Postfix's cleanup drops a repeated recipient: relayed twice, a next hop that does not would deliver twice
        // and a DSN would be sent twice. A different local part case or DSN request is a different recipient.
        await using var server = await TestServer.StartAsync(o => o with { MaxRecipients = 3 });
        await using var client = await StartTransactionAsync(server, "a@ours.example", "a@OURS.example", "A@ours.example");

        await client.CommandAsync("RCPT TO:<a@ours.example>", 250, "2.1.5");
        await client.CommandAsync("RCPT TO:<a@ours.example> NOTIFY=NEVER", 250, "2.1.5");
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("x\r\n.\r\n");
        await client.ExpectAsync(250);

        Assert.Equal(
            ["a@ours.example", "A@ours.example", "a@ours.example"],
            Assert.Single(server.Handler.Messages).Envelope.Recipients.Select(r => r.Address.ToString()));
    }

    [Fact]
    public async Task Data_with_every_recipient_refused_gets_554()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
        await client.CommandAsync("RCPT TO:<v@denied.example>", 554, "5.7.1");

        await client.CommandAsync("DATA", 554, "5.5.1");
    }

    [Fact]
    public async Task A_writer_failure_is_answered_451_never_250()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.WriterThrowsOnWrite = true;
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: x\r\n\r\nbody\r\n.\r\n");
        await client.ExpectAsync(451, "4.3.0");
        await client.CommandAsync("NOOP", 250);
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task A_failure_to_complete_is_answered_451()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.WriterThrowsOnComplete = true;
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("body\r\n.\r\n");
        await client.ExpectAsync(451, "4.3.0");
    }

    [Fact]
    public async Task A_refusal_at_message_start_answers_data_itself()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.OnMessageStart = _ => Verdict.Reject(new SmtpReply(451, "4.7.1", "Greylisted"));
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 451, "4.7.1");
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250, "2.1.0");
    }

    [Fact]
    public async Task Data_received_in_tiny_pieces_arrives_intact()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);
        await client.CommandAsync("DATA", 354);

        var body = "Subject: split\r\n\r\n.dot\r\nline\r\n.\r\n";
        foreach (var c in body)
        {
            await client.SendRawAsync(c.ToString());
        }

        await client.ExpectAsync(250);
        Assert.Equal("Subject: split\r\n\r\ndot\r\nline\r\n", Assert.Single(server.Handler.Messages).BodyText);
    }

    [Fact]
    public async Task A_writer_that_does_not_complete_in_time_gets_451_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync(o => o with { DataTerminationTimeout = TimeSpan.FromMilliseconds(300) });
        server.Handler.CompleteHangs = true;
        await using var client = await StartTransactionAsync(server);

        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("body\r\n.\r\n");
        await client.ExpectAsync(451, "4.3.0");
        await client.CommandAsync("NOOP", 250);
        Assert.True(Assert.Single(server.Handler.Writers).Disposed);
    }

    [Fact]
    public async Task A_client_that_floods_commands_without_reading_replies_is_pushed_back_and_dropped()
    {
        await using var server = await TestServer.StartAsync(o => o with { CommandTimeout = TimeSpan.FromMilliseconds(500) });
        await using var client = await SmtpTestClient.ConnectAsync(server.EndPoint, receiveBufferSize: 4096);
        await client.GreetAsync();

        // 40 MB of NOOPs, never reading a reply: far more than the socket buffers hold. The server must stop
        // reading when its replies back up and end the session when they cannot be delivered, so the send
        // fails; a server that buffered replies without bound would swallow it all (and 90 MB of replies).
        var noop = "NOOP\r\n"u8.ToArray();
        var flood = new byte[noop.Length * 7_000_000];
        for (var i = 0; i < flood.Length; i += noop.Length)
        {
            noop.CopyTo(flood, i);
        }

        var send = client.SendRawAsync(flood);
        var finished = await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(15)));

        Assert.Same(send, finished);
        await Assert.ThrowsAnyAsync<IOException>(() => send);
    }
}
