using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Smtp.Server.Tests.Infrastructure;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Tests;

/// <summary>Defects found in the adversarial review of the session engine, one test each.</summary>
public sealed class ReviewFindingsTests
{
    [Fact]
    public async Task Implicit_tls_behind_a_proxy_keeps_a_client_hello_that_arrived_with_the_header()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server) },
            l => l with
            {
                Tls = ListenerTlsMode.Implicit,
                ProxyProtocol = ProxyProtocolMode.V1,
                TrustedProxies = [IPNetwork.Parse("127.0.0.0/8")],
            });
        await using var client = await server.ConnectAsync();

        // The balancer's header and the client's ClientHello in one segment: both land in one read.
        await client.StartTlsAsync(prefix: Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 198.51.100.1 40000 465\r\n"));
        await client.ExpectAsync(220);
        await client.CommandAsync("EHLO client.example", 250);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), server.Provider.Opened.Single().ClientAddress);
    }

    [Fact]
    public async Task A_tls_client_that_stops_reading_replies_does_not_keep_its_session_forever()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            Certificates = ServerCertificates.Of(TestCertificates.Server),
            CommandTimeout = TimeSpan.FromSeconds(2),
        });
        await using var client = await SmtpTestClient.ConnectAsync(server.EndPoint, receiveBufferSize: 4096);
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync();

        // Pipelined HELPs whose replies are never read: the server's sends block, its flush times out and the
        // session must end, close_notify or not.
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("HELP\r\n", 10_000)));
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await client.SendRawAsync(block);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or NotSupportedException)
            {
                // The server gave up on us: that is the point.
            }
        });

        await LimitsTests.WaitUntilAsync(() => server.Server.OpenSessions == 1);
        for (var i = 0; i < 600 && server.Server.OpenSessions != 0; i++)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        Assert.Equal(0, server.Server.OpenSessions);
    }

    [Fact]
    public async Task A_refusal_verdict_carrying_a_positive_reply_never_answers_the_message_with_250()
    {
        await using var server = await TestServer.StartAsync();

        // A misconfigured or buggy stage check: "reject" with a 250 text. Only CompleteAsync may say 250.
        server.Handler.OnMessageStart = _ => new Verdict(VerdictAction.Reject, new SmtpReply(250, "2.0.0", "Ok"), null);
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.SendRawAsync("BDAT 7 LAST\r\nhello\r\n");
        await client.ExpectAsync(550, "5.7.1");
        Assert.Empty(server.Handler.Messages);

        // The same for a refused recipient: a 250 would make the client believe it is in the envelope.
        server.Handler.OnMessageStart = null;
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@positive-refusal.example>", 550, "5.7.1");
    }

    [Fact]
    public async Task Mail_auth_parameter_from_an_unauthenticated_client_is_taken_as_unknown()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), AuthEnabled = true },
            credentials: new TestCredentials());
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync();
        await client.CommandAsync("EHLO client.example", 250);

        // RFC 4954 5: without authentication the server MUST behave as if AUTH=<> was given, or any TLS client
        // could claim to be the submitter of record towards the next hop.
        await client.CommandAsync("MAIL FROM:<a@x.example> AUTH=boss@ours.example", 250, "2.1.0");
        Assert.Equal("<>", server.Handler.MailParameters.Last().AuthMailbox);
        await client.CommandAsync("RSET", 250);

        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + TestCredentials.User + "\0" + TestCredentials.Password));
        await client.CommandAsync("AUTH PLAIN " + plain, 235, "2.7.0");
        await client.CommandAsync("MAIL FROM:<a@x.example> AUTH=alice@ours.example", 250, "2.1.0");
        Assert.Equal("alice@ours.example", server.Handler.MailParameters.Last().AuthMailbox);
    }

    [Fact]
    public async Task An_overlong_enhanced_code_from_a_stage_check_does_not_break_the_reply_writer()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.OnMessageStart = _ => Verdict.Reject(new SmtpReply(550, new string('5', 5000), "No"));
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);

        // RFC 5321 4.5.3.1.5: whatever the check says, one reply line is at most 512 octets, and the session lives on.
        var reply = await client.CommandAsync("DATA", 550);
        Assert.True(reply.Lines.Single().Length <= 512 - 6);
        await client.CommandAsync("NOOP", 250, "2.0.0");
    }

    [Fact]
    public async Task Bdat_chunks_already_pipelined_behind_a_failed_one_are_discarded_without_counting_as_errors()
    {
        await using var server = await TestServer.StartAsync();
        server.Handler.OnMessageStart = _ => Verdict.Reject(new SmtpReply(550, "5.7.1", "Not this one"));
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);

        // RFC 3030 2: the receiver MUST be prepared to accept and discard chunks already in the pipeline after a
        // failed BDAT. More of them than MaxErrors must not get the client thrown out.
        var chunks = string.Concat(Enumerable.Repeat("BDAT 4\r\nabcd", 14)) + "BDAT 2 LAST\r\nef";
        await client.SendRawAsync(chunks);
        await client.ExpectAsync(550, "5.7.1");
        for (var i = 0; i < 14; i++)
        {
            await client.ExpectAsync(503, "5.5.1");
        }

        await client.CommandAsync("NOOP", 250, "2.0.0");

        // An unrelated BDAT out of sequence later is still an error like any other.
        server.Handler.OnMessageStart = null;
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.SendRawAsync("BDAT 2 LAST\r\nok");
        await client.ExpectAsync(250, "2.0.0");
        Assert.Single(server.Handler.Messages);
    }

    [Fact]
    public async Task A_sasl_user_name_cannot_forge_log_lines()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificates = ServerCertificates.Of(TestCertificates.Server), AuthEnabled = true },
            credentials: new TestCredentials());
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync();
        await client.CommandAsync("EHLO client.example", 250);

        // RFC 4616: authcid is any UTF-8 but NUL, CR and LF included; the text log is one line per event.
        var forged = "mallory\r\n2026-01-01T00:00:00.000Z info: Session x: AUTH PLAIN succeeded for root\u001b[2J";
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + forged + "\0wrong"));
        await client.CommandAsync("AUTH PLAIN " + plain, 535, "5.7.8");

        var line = server.Logs.Lines.Single(l => l.EventId == 1051).Message;
        Assert.Contains("mallory", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
    }
}
