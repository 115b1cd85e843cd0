using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Testing.Smtp;

namespace Gateway.Delivery.Tests;

/// <summary>The SMTP client side against a scripted server: replies per recipient, extensions, exact bytes.</summary>
public sealed class SmtpDeliveryAgentTests
{
    /// <summary>Messages whose bytes a careless relay would change: 8-bit, long lines, odd headers, dots, MIME.</summary>
    public static TheoryData<string> TrickyMessages => new()
    {
        "8bit",
        "long-lines",
        "odd-headers",
        "dots",
        "multipart",
        "no-body",
        "qp-and-base64",
    };

    internal static byte[] Tricky(string name)
    {
        var text = name switch
        {
            "8bit" => "From: =?utf-8?q?J=C3=B6rg?= <j@sender.test>\r\nSubject: Gr\u00fc\u00dfe aus K\u00f6ln\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nStra\u00dfe \u00e9\u00e8 \u4e2d\u6587\r\n",
            "long-lines" => "Subject: long\r\nX-Long: " + new string('h', 1500) + "\r\n\r\n" + new string('x', 2000) + "\r\n" + string.Concat(Enumerable.Repeat("word ", 400)) + "\r\n",
            "odd-headers" => "subject:no space after colon\r\nX-Folded: first\r\n\tsecond\r\n   third\r\nX-Dup: 1\r\nX-Dup: 2\r\nX-Empty:\r\nX-Trailing-Space: value   \r\nTo: \"Weird, Name\" <b@example.test>,\r\n  c@example.test\r\nBcc: hidden@example.test\r\nContent-Length: 12345\r\nX-Tab:\tvalue\r\n\r\nbody\r\n",
            "dots" => "Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmiddle.\r\n. \r\n",
            "multipart" => "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble text\r\n--b1\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n--b1--\r\nepilogue text\r\n",
            "no-body" => "Subject: only headers\r\nX-A: b\r\n\r\n",
            "qp-and-base64" => "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLa=20vie=20=E9tait=\r\n belle=\r\n",
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        return Encoding.UTF8.GetBytes(text);
    }

    [Theory]
    [MemberData(nameof(TrickyMessages))]
    public async Task The_message_arrives_byte_for_byte(string name)
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        var message = Tricky(name);

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var received = Assert.Single(server.Transactions).Data;
        Assert.Equal(Encoding.UTF8.GetString(message), Encoding.UTF8.GetString(received));
        Assert.Equal(message, received);
    }

    [Fact]
    public async Task Each_recipient_gets_its_own_outcome()
    {
        await using var server = new FakeSmtpServer();
        server.RcptReplies["unknown@example.test"] = "550 5.1.1 No such user";
        server.RcptReplies["greylisted@example.test"] = "451 4.7.1 Try again later";
        server.RcptReplies["full@example.test"] = "452 4.2.2 Mailbox full";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        var job = Jobs.Job(Jobs.SimpleMessage, "a@sender.test",
            Jobs.Rcpt("ok@example.test"), Jobs.Rcpt("unknown@example.test"), Jobs.Rcpt("greylisted@example.test"), Jobs.Rcpt("full@example.test"), Jobs.Rcpt("ok2@example.test"));

        var outcomes = await agent.DeliverAsync(job, CancellationToken.None);

        Assert.Equal(["ok@example.test", "unknown@example.test", "greylisted@example.test", "full@example.test", "ok2@example.test"], outcomes.Select(o => o.Address));
        Assert.Equal(
            [OutcomeKind.Delivered, OutcomeKind.PermanentFailure, OutcomeKind.TransientFailure, OutcomeKind.TransientFailure, OutcomeKind.Delivered],
            outcomes.Select(o => o.Kind));
        Assert.Equal("550 5.1.1 No such user", outcomes[1].Diagnostic);
        Assert.Equal(550, outcomes[1].RemoteCode);
        Assert.Equal("5.1.1", outcomes[1].RemoteEnhancedCode);
        Assert.Equal("451 4.7.1 Try again later", outcomes[2].Diagnostic);
        Assert.Equal("250 2.0.0 Ok: queued", outcomes[0].Diagnostic);
        Assert.Equal("mx.example.test", outcomes[0].RemoteMta);
        var transaction = Assert.Single(server.Transactions);
        Assert.Equal(2, transaction.Rcpts.Count);
    }

    [Fact]
    public async Task All_recipients_refused_sends_no_data()
    {
        await using var server = new FakeSmtpServer();
        server.RcptReplies["x@example.test"] = "550 5.1.1 No such user";
        server.RcptReplies["y@example.test"] = "450 4.2.1 Busy";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("x@example.test"), Jobs.Rcpt("y@example.test")), CancellationToken.None);

        Assert.Equal([OutcomeKind.PermanentFailure, OutcomeKind.TransientFailure], outcomes.Select(o => o.Kind));
        Assert.Equal("450 4.2.1 Busy", outcomes[1].Diagnostic);
        Assert.Empty(server.Transactions);

        // RFC 2920 3.1: DATA went in the pipelined group and was refused; the transaction is reset for the next.
        Assert.Equal(["DATA", "RSET"], server.Commands.TakeLast(2));
        Assert.Equal(1, agent.IdleConnections);
    }

    [Theory]
    [InlineData("554 5.7.1 Message refused", OutcomeKind.PermanentFailure)]
    [InlineData("452 4.3.1 Insufficient system storage", OutcomeKind.TransientFailure)]
    public async Task The_reply_to_the_data_answers_for_every_accepted_recipient(string reply, OutcomeKind kind)
    {
        await using var server = new FakeSmtpServer { DataReply = reply };
        server.RcptReplies["no@example.test"] = "550 5.1.1 No such user";
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("no@example.test"), Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal([kind, OutcomeKind.PermanentFailure, kind], outcomes.Select(o => o.Kind));
        Assert.Equal(reply, outcomes[0].Diagnostic);
        Assert.Equal(reply, outcomes[2].Diagnostic);
        Assert.Equal("550 5.1.1 No such user", outcomes[1].Diagnostic);
    }

    [Theory]
    [InlineData("553 5.7.1 Sender rejected", OutcomeKind.PermanentFailure, "PIPELINING")]
    [InlineData("553 5.7.1 Sender rejected", OutcomeKind.PermanentFailure, "8BITMIME")]
    [InlineData("451 4.3.2 Try later", OutcomeKind.TransientFailure, "PIPELINING")]
    [InlineData("451 4.3.2 Try later", OutcomeKind.TransientFailure, "8BITMIME")]
    public async Task Sender_refused_answers_for_every_recipient(string reply, OutcomeKind kind, string keyword)
    {
        await using var server = new FakeSmtpServer(keyword) { MailReply = reply };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(kind, o.Kind));
        Assert.All(outcomes, o => Assert.Equal(reply, o.Diagnostic));
        Assert.Empty(server.Transactions);
    }

    [Fact]
    public async Task Eight_bit_content_to_a_server_without_8bitmime_fails_without_conversion()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "ENHANCEDSTATUSCODES");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Tricky("8bit"), "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal("5.6.3", outcome.RemoteEnhancedCode);
        Assert.StartsWith("554 5.6.3 ", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seven_bit_content_goes_to_a_server_without_8bitmime_unchanged()
    {
        await using var server = new FakeSmtpServer("PIPELINING");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        var message = Tricky("qp-and-base64");

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal(message, Assert.Single(server.Transactions).Data);
    }

    [Fact]
    public async Task Dsn_parameters_are_passed_on_when_offered()
    {
        await using var server = new FakeSmtpServer("PIPELINING", "8BITMIME", "DSN");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients =
        [
            Jobs.Rcpt("a@example.test", notify: DsnNotify.Success | DsnNotify.Failure) with { OriginalRecipientType = "rfc822", OriginalRecipient = "A+list=x@example.test" },
            Jobs.Rcpt("b@example.test"),
            Jobs.Rcpt("c@example.test", notify: DsnNotify.Never),
        ];
        var envelope = new QueuedEnvelope { QueueId = "dsn1", ReceivedAt = DateTimeOffset.UnixEpoch, Origin = "smtp", From = "s@sender.test", Return = DsnReturn.Headers, EnvelopeId = "env-42", Recipients = recipients };

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, envelope, recipients), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Equal([true, false, true], outcomes.Select(o => o.DsnPassedOn));
        var mail = Assert.Single(server.Commands, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
        Assert.Contains(" RET=HDRS", mail, StringComparison.Ordinal);
        Assert.Contains(" ENVID=env-42", mail, StringComparison.Ordinal);
        var rcpts = server.Commands.Where(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal)).ToList();
        // RFC 3461 5.2.1: ORCPT as the client gave it (xtext), none invented for recipients without one.
        Assert.Equal("RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;A+2Blist+3Dx@example.test", rcpts[0]);
        Assert.Equal("RCPT TO:<b@example.test>", rcpts[1]);
        Assert.Equal("RCPT TO:<c@example.test> NOTIFY=NEVER", rcpts[2]);
    }

    [Fact]
    public async Task Dsn_parameters_are_not_sent_to_a_server_without_dsn()
    {
        await using var server = new FakeSmtpServer("8BITMIME");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients = [Jobs.Rcpt("a@example.test", notify: DsnNotify.Success)];
        var envelope = new QueuedEnvelope { QueueId = "dsn2", ReceivedAt = DateTimeOffset.UnixEpoch, Origin = "smtp", From = "s@sender.test", Return = DsnReturn.Full, EnvelopeId = "env-43", Recipients = recipients };

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, envelope, recipients), CancellationToken.None);

        Assert.False(Assert.Single(outcomes).DsnPassedOn);
        Assert.Equal("MAIL FROM:<s@sender.test>", Assert.Single(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal)));
        Assert.Equal("RCPT TO:<a@example.test>", Assert.Single(server.Commands, c => c.StartsWith("RCPT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Null_sender_is_sent_as_empty_path()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, null, Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal("MAIL FROM:<>", Assert.Single(server.Transactions).MailFrom);
    }

    [Fact]
    public async Task Smtputf8_is_required_for_international_addresses()
    {
        await using var server = new FakeSmtpServer("8BITMIME");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("j\u00f6rg@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal("5.6.7", outcome.RemoteEnhancedCode);
        Assert.Empty(server.Transactions);
    }

    [Fact]
    public async Task Smtputf8_is_used_when_offered_and_needed()
    {
        await using var server = new FakeSmtpServer("8BITMIME", "SMTPUTF8");
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients = [Jobs.Rcpt("j\u00f6rg@example.test")];
        var envelope = new QueuedEnvelope { QueueId = "u1", ReceivedAt = DateTimeOffset.UnixEpoch, Origin = "smtp", From = "s\u00e9@sender.test", SmtpUtf8 = true, Recipients = recipients };

        var outcomes = await agent.DeliverAsync(Jobs.Job(Tricky("8bit"), envelope, recipients), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        var transaction = Assert.Single(server.Transactions);
        Assert.StartsWith("MAIL FROM:<s\u00e9@sender.test>", transaction.MailFrom, StringComparison.Ordinal);
        Assert.Contains("SMTPUTF8", transaction.MailFrom, StringComparison.Ordinal);
        Assert.Equal("RCPT TO:<j\u00f6rg@example.test>", Assert.Single(transaction.Rcpts));
    }

    [Fact]
    public async Task Quoted_local_parts_are_quoted_again()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("john smith@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal("RCPT TO:<\"john smith\"@example.test>", Assert.Single(Assert.Single(server.Transactions).Rcpts));
    }

    [Fact]
    public async Task Ehlo_uses_our_host_name()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal("EHLO gw.ours.test", server.Commands.First());
    }

    [Fact]
    public async Task An_unreachable_host_sends_us_to_the_next_one()
    {
        await using var server = new FakeSmtpServer();
        var closedPort = Gateway.Testing.FreePort.Next();
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ours.test"] = [new RouteHost("127.0.0.1", closedPort, 10, false), new RouteHost("127.0.0.1", server.Port, 20, false)],
        };
        await using var agent = Jobs.Agent(Jobs.Options(25) with { Routes = routes }, new InMemoryDnsResolver());

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("u@ours.test", MailDirection.Inbound)), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Single(server.Transactions);
    }

    [Fact]
    public async Task No_reachable_host_defers_every_recipient()
    {
        var closedPort = Gateway.Testing.FreePort.Next();
        await using var agent = Jobs.Agent(Jobs.Options(closedPort), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.TransientFailure, o.Kind));
        Assert.All(outcomes, o => Assert.StartsWith("451 4.4.1 ", o.Diagnostic, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Required_tls_not_offered_is_transient()
    {
        await using var server = new FakeSmtpServer();
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ours.test"] = [new RouteHost("127.0.0.1", server.Port, 10, RequireTls: true)],
        };
        await using var agent = Jobs.Agent(Jobs.Options(25) with { Routes = routes }, new InMemoryDnsResolver());

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("u@ours.test", MailDirection.Inbound)), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal("4.7.4", outcome.RemoteEnhancedCode);
        Assert.Empty(server.Transactions);
    }

    [Fact]
    public async Task Routing_failures_come_back_per_recipient_next_to_deliveries()
    {
        await using var server = new FakeSmtpServer();
        var dns = Jobs.LoopbackMx("example.test").AddMx("nullmx.test", 0, ".").SetStatus("broken.test", DnsStatus.ServerFailure);
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), dns);
        var job = Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@nullmx.test"), Jobs.Rcpt("b@nowhere.test"), Jobs.Rcpt("c@broken.test"), Jobs.Rcpt("d@example.test"));

        var outcomes = await agent.DeliverAsync(job, CancellationToken.None);

        Assert.Equal(
            [OutcomeKind.PermanentFailure, OutcomeKind.PermanentFailure, OutcomeKind.TransientFailure, OutcomeKind.Delivered],
            outcomes.Select(o => o.Kind));
        Assert.StartsWith("556 5.1.10 ", outcomes[0].Diagnostic, StringComparison.Ordinal);
        Assert.StartsWith("550 5.1.2 domain not found", outcomes[1].Diagnostic, StringComparison.Ordinal);
        Assert.StartsWith("451 4.4.3 ", outcomes[2].Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_that_would_come_back_to_us_fails_with_loops_back_to_myself()
    {
        await using var server = new FakeSmtpServer();
        var options = Jobs.Options(server.Port) with { ListenerEndPoints = [new IPEndPoint(IPAddress.Loopback, server.Port)] };
        await using var agent = Jobs.Agent(options, Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal("554 5.4.6 mail for example.test loops back to myself", outcome.Diagnostic);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Recipients_of_different_destinations_go_in_separate_transactions()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("one.test", "two.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@one.test"), Jobs.Rcpt("b@two.test"), Jobs.Rcpt("c@one.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Equal([1, 2], server.Transactions.Select(t => t.Rcpts.Count).Order());
    }

    [Fact]
    public async Task An_idle_connection_is_reused_for_the_next_message_and_closed_after_the_idle_time()
    {
        await using var server = new FakeSmtpServer();
        var clock = Jobs.Clock();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"), clock);

        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test")), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(4));
        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(1, server.Connections);
        Assert.Equal(2, server.Transactions.Count);
        Assert.Equal(1, agent.IdleConnections);

        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(0, agent.IdleConnections);
        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("c@example.test")), CancellationToken.None);

        Assert.Equal(2, server.Connections);
        Assert.Equal(3, server.Transactions.Count);
    }

    [Fact]
    public async Task A_pooled_connection_the_server_dropped_is_replaced()
    {
        var server = new FakeSmtpServer();
        var port = server.Port;
        await using var agent = Jobs.Agent(Jobs.Options(port), Jobs.LoopbackMx("example.test"));
        await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test")), CancellationToken.None);
        await server.DisposeAsync();

        await using var second = FakeSmtpServer.OnPort(port);
        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
    }

    [Fact]
    public async Task Concurrency_per_destination_is_bounded()
    {
        await using var server = new FakeSmtpServer { DataDelay = TimeSpan.FromMilliseconds(200) };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { ConcurrencyPerDestination = 2 }, Jobs.LoopbackMx("example.test"));

        var jobs = Enumerable.Range(0, 6).Select(i => agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt($"r{i}@example.test")), CancellationToken.None).AsTask());
        var outcomes = await Task.WhenAll(jobs);

        Assert.All(outcomes.SelectMany(o => o), o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Equal(6, server.Transactions.Count);
        Assert.True(server.MaxConcurrentConnections <= 2, $"saw {server.MaxConcurrentConnections} connections at once");
        Assert.Equal(2, server.MaxConcurrentConnections);
    }

    [Fact]
    public async Task A_server_that_stops_answering_is_a_transient_failure()
    {
        await using var server = new FakeSmtpServer { DataDelay = TimeSpan.FromSeconds(5) };
        await using var agent = Jobs.Agent(Jobs.Options(server.Port) with { CommandTimeout = TimeSpan.FromMilliseconds(500) }, Jobs.LoopbackMx("example.test"));
        var started = DateTime.UtcNow;

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.StartsWith("451 4.4.2 lost connection with mx.example.test", outcome.Diagnostic, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4));
        Assert.Equal(0, agent.IdleConnections);
    }

    [Fact]
    public async Task Unparseable_addresses_fail_alone()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("a@example.test"), Jobs.Rcpt("bad\r\n<>@example.test")), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, outcomes[0].Kind);
        Assert.Equal(OutcomeKind.PermanentFailure, outcomes[1].Kind);
        Assert.Equal("5.1.3", outcomes[1].RemoteEnhancedCode);
    }

    [Fact]
    public async Task An_unreadable_spool_file_is_an_exception_and_the_connection_is_not_kept()
    {
        await using var server = new FakeSmtpServer();
        await using var agent = Jobs.Agent(Jobs.Options(server.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients = [Jobs.Rcpt("a@example.test")];
        var envelope = new QueuedEnvelope { QueueId = "gone", ReceivedAt = DateTimeOffset.UnixEpoch, Origin = "smtp", From = "s@sender.test", Recipients = recipients };
        var job = new DeliveryJob("gone", envelope, recipients, _ => throw new FileNotFoundException("spool file vanished"));

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await agent.DeliverAsync(job, CancellationToken.None));

        Assert.Equal(0, agent.IdleConnections);
        Assert.Empty(server.Transactions);
    }
}
