using System.Text;
using Gateway.Abstractions;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Testing.Smtp;

namespace Gateway.Delivery.Tests;

/// <summary>How the client uses what the server announced: PIPELINING, CHUNKING, SIZE, 8BITMIME, SMTPUTF8, HELO.</summary>
public sealed class SmtpExtensionTests
{
    private static readonly byte[] NoFinalLineEnd = Encoding.ASCII.GetBytes("Subject: last line\r\n\r\nno line end after this");

    [Fact]
    public async Task Mail_rcpts_and_data_go_in_one_pipelined_group()
    {
        // The server answers nothing before DATA: a client waiting for the reply to MAIL would time out.
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME") { HoldRepliesUntilData = true };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { CommandTimeout = TimeSpan.FromSeconds(3) }, Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Equal(2, Assert.Single(server.Transactions).Rcpts.Count);
    }

    [Fact]
    public async Task Without_pipelining_each_command_waits_for_its_reply()
    {
        await using var server = new FakeSmtpServer("8BITMIME", "ENHANCEDSTATUSCODES");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("b@example.test"), Jobs.Rcpt("c@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Equal(0, server.CommandsReadAhead);
        Assert.Equal(Jobs.SimpleMessage, Assert.Single(server.Transactions).Data);
    }

    [Theory]
    [MemberData(nameof(SmtpDeliveryAgentTests.TrickyMessages), MemberType = typeof(SmtpDeliveryAgentTests))]
    public async Task Chunking_sends_the_stored_octets_in_one_bdat_last(string name)
    {
        await using var server = new FakeSmtpServer("PIPELINING", "CHUNKING", "8BITMIME") { HoldRepliesUntilData = true };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { CommandTimeout = TimeSpan.FromSeconds(3) }, Jobs.LoopbackMx("example.test"));
        var message = SmtpDeliveryAgentTests.Tricky(name);

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var transaction = Assert.Single(server.Transactions);
        Assert.True(transaction.ViaBdat);
        Assert.Equal(message, transaction.Data);
        Assert.Contains($"BDAT {message.Length} LAST", server.Commands);
    }

    [Fact]
    public async Task A_large_message_goes_in_several_chunks()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "CHUNKING", "8BITMIME");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { ChunkSize = 1000 }, Jobs.LoopbackMx("example.test"));
        var message = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i:D3} of the body...........\r\n")));

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal(message, Assert.Single(server.Transactions).Data);
        var chunks = server.Commands.Where(c => c.StartsWith("BDAT", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Repeat("BDAT 1000", message.Length / 1000).Append($"BDAT {message.Length % 1000} LAST"), chunks);
    }

    [Fact]
    public async Task A_refused_chunk_answers_for_the_accepted_recipients_and_resets_the_transaction()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "CHUNKING", "8BITMIME", "ENHANCEDSTATUSCODES") { ChunkReply = "452 4.3.1 Insufficient system storage" };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { ChunkSize = 10 }, Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("452 4.3.1 Insufficient system storage", outcome.Diagnostic);
        Assert.Empty(server.Transactions);

        // RFC 3030 2: no chunk after a refused one.
        Assert.Equal(["BDAT 10", "RSET"], server.Commands.TakeLast(2));
    }

    [Fact]
    public async Task Without_pipelining_bdat_follows_the_replies_to_rcpt()
    {
        await using var server = new FakeSmtpServer("CHUNKING", "8BITMIME");
        server.RcptReplies["no@example.test"] = "550 5.1.1 No such user";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("no@example.test"), Jobs.Rcpt("yes@example.test")), CancellationToken.None);

        Assert.Equal([OutcomeKind.PermanentFailure, OutcomeKind.Delivered], outcomes.Select(o => o.Kind));
        Assert.True(Assert.Single(server.Transactions).ViaBdat);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Size_announces_exactly_what_is_sent_and_a_missing_final_line_end_is_added(bool chunking)
    {
        string[] keywords = chunking ? ["PIPELINING", "CHUNKING", "SIZE 1000000"] : ["PIPELINING", "SIZE 1000000"];
        await using var server = new FakeSmtpServer(keywords);
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(NoFinalLineEnd, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var transaction = Assert.Single(server.Transactions);
        Assert.Equal([.. NoFinalLineEnd, .. "\r\n"u8.ToArray()], transaction.Data);
        Assert.Equal($"MAIL FROM:<a@sender.test> SIZE={NoFinalLineEnd.Length + 2}", transaction.MailFrom);
    }

    [Fact]
    public async Task A_message_over_the_servers_size_limit_is_not_offered()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "SIZE 20");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal($"552 5.3.4 message size {Jobs.SimpleMessage.Length} exceeds size limit 20 of server mx.example.test", outcome.Diagnostic);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("8bit", BodyType.Unspecified, "MAIL FROM:<a@sender.test> BODY=8BITMIME")]
    [InlineData("dots", BodyType.Unspecified, "MAIL FROM:<a@sender.test>")]
    [InlineData("dots", BodyType.SevenBit, "MAIL FROM:<a@sender.test> BODY=7BIT")]
    [InlineData("dots", BodyType.EightBitMime, "MAIL FROM:<a@sender.test> BODY=8BITMIME")]
    [InlineData("8bit", BodyType.SevenBit, "MAIL FROM:<a@sender.test> BODY=8BITMIME")]
    public async Task Body_says_what_the_octets_are_or_what_the_client_declared(string message, BodyType declared, string expected)
    {
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients = [Jobs.Rcpt("b@example.test")];

        await agent.DeliverAsync(Jobs.Job(SmtpDeliveryAgentTests.Tricky(message), Jobs.Envelope("a@sender.test", recipients) with { Body = declared }, recipients), CancellationToken.None);

        Assert.Equal(expected, Assert.Single(server.Transactions).MailFrom);
    }

    [Fact]
    public async Task An_a_label_recipient_is_forwarded_as_written_without_smtputf8()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME", "SMTPUTF8");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("xn--bcher-kva.example"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("user@xn--bcher-kva.example")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var transaction = Assert.Single(server.Transactions);
        Assert.Equal("MAIL FROM:<a@sender.test>", transaction.MailFrom);
        Assert.Equal("RCPT TO:<user@xn--bcher-kva.example>", Assert.Single(transaction.Rcpts));
    }

    [Fact]
    public async Task Helo_is_used_when_ehlo_is_not_understood()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME", "DSN") { EhloReply = "502 5.5.2 Error: command not recognized" };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test", notify: DsnNotify.Success)), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.False(outcome.DsnPassedOn);
        Assert.Equal(["EHLO gw.ours.test", "HELO gw.ours.test"], server.Commands.Take(2));
        Assert.Equal("RCPT TO:<b@example.test>", Assert.Single(Assert.Single(server.Transactions).Rcpts));
        Assert.Equal(0, server.CommandsReadAhead);
    }

    [Fact]
    public async Task A_refused_greeting_defers_with_the_servers_reply()
    {
        await using var server = new FakeSmtpServer { Greeting = "554 5.7.1 No SMTP service here" };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("451 4.4.1 delivery to mx:example.test failed temporarily: host refused to talk to us: 554 5.7.1 No SMTP service here", outcome.Diagnostic);
    }

    [Fact]
    public async Task A_421_answers_for_the_recipients_and_the_connection_is_not_kept()
    {
        await using var server = new FakeSmtpServer { MailReply = "421 4.3.2 Service shutting down" };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal("421 4.3.2 Service shutting down", o.Diagnostic));
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.TransientFailure, o.Kind));
        Assert.Equal(0, agent.IdleConnections);
    }

    [Fact]
    public async Task A_multi_line_reply_becomes_one_diagnostic_line()
    {
        await using var server = new FakeSmtpServer();
        server.RcptReplies["x@example.test"] = "550-5.1.1 The email account that you tried to reach does not exist.\r\n550-5.1.1 Please double-check the recipient's address\r\n550 5.1.1 and try again.";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("x@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal("550 5.1.1 The email account that you tried to reach does not exist. Please double-check the recipient's address and try again.", outcome.Diagnostic);
        Assert.Equal("5.1.1", outcome.RemoteEnhancedCode);
    }

    [Fact]
    public async Task Oversized_replies_are_cut_and_the_dialogue_goes_on()
    {
        await using var server = new FakeSmtpServer();
        server.RcptReplies["long@example.test"] = "550 5.1.1 " + new string('x', 200_000);
        server.RcptReplies["many@example.test"] = string.Concat(Enumerable.Range(0, 5000).Select(i => $"550-5.1.1 line {i}\r\n")) + "550 5.1.1 end";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("long@example.test"), Jobs.Rcpt("many@example.test"), Jobs.Rcpt("ok@example.test")), CancellationToken.None);

        Assert.Equal([OutcomeKind.PermanentFailure, OutcomeKind.PermanentFailure, OutcomeKind.Delivered], outcomes.Select(o => o.Kind));
        Assert.True(outcomes[0].Diagnostic.Length <= Gateway.Smtp.Protocol.SmtpDefaults.ReplyLineLength, outcomes[0].Diagnostic.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("line 63", outcomes[1].Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_data_command_answers_for_the_accepted_recipients()
    {
        await using var server = new FakeSmtpServer { DataCommandReply = "554 5.7.1 Not today" };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test")), CancellationToken.None);

        Assert.Equal("554 5.7.1 Not today", Assert.Single(outcomes).Diagnostic);
        Assert.Equal("RSET", server.Commands.Last());
        Assert.Equal(1, agent.IdleConnections);
    }

    [Fact]
    public async Task After_a_failed_transaction_the_connection_is_reset_and_reused()
    {
        await using var server = new FakeSmtpServer();
        server.RcptReplies["gone@example.test"] = "550 5.1.1 No such user";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("gone@example.test")), CancellationToken.None);
        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("here@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal(1, server.Connections);
        Assert.Contains("RSET", server.Commands);
    }

    [Fact]
    public async Task A_server_that_stops_reading_the_message_runs_into_the_data_block_timeout()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME") { StopReadingAfterDataCommand = true };
        var options = Jobs.Options(server.Port) with { DataBlockTimeout = TimeSpan.FromMilliseconds(300) };
        await using var agent = Jobs.Agent(options, Jobs.LoopbackMx("example.test"));

        // Larger than what the socket buffers of both ends can take, so a write must block.
        var message = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('z', 998) + "\r\n", 32 * 1024)));

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None));

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("451 4.4.2 lost connection with mx.example.test: timed out while sending the message", outcome.Diagnostic);
        Assert.Equal(0, agent.IdleConnections);
    }

    [Fact]
    public async Task Cancellation_stops_the_attempt_and_drops_the_connection()
    {
        await using var server = new FakeSmtpServer { DataDelay = TimeSpan.FromSeconds(30) };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        using var cancel = new CancellationTokenSource();
        var delivery = agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), cancel.Token).AsTask();

        // Cancel once the message is on its way (the server is holding its reply to the end of data).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!server.Commands.Contains("DATA"))
        {
            // Cancelling earlier would test a cancelled connect or EHLO instead.
            Assert.True(DateTime.UtcNow < deadline, "the client never sent DATA");
            await Task.Delay(20);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
        Assert.Equal(0, agent.IdleConnections);
    }
}
