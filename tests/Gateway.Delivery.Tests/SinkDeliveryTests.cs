using System.Net;
using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Testing.Peers;

namespace Gateway.Delivery.Tests;

/// <summary>Delivery to Debian postfix's smtp-sink: a real MTA's server side on loopback.</summary>
public sealed class SinkDeliveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>smtp-sink dumps with LF line ends; the spooled message, line ends aside, must match exactly.</summary>
    private static byte[] WithLf(byte[] crlf) =>
        System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(crlf).Replace("\r\n", "\n", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(SmtpDeliveryAgentTests.TrickyMessages), MemberType = typeof(SmtpDeliveryAgentTests))]
    public async Task Mx_delivery_reaches_the_sink_unchanged(string name)
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));
        var message = SmtpDeliveryAgentTests.Tricky(name);

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test"), Jobs.Rcpt("c@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.All(outcomes, o => Assert.StartsWith("250 2.0.0 Ok", o.Diagnostic, StringComparison.Ordinal));
        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, Wait));
        Assert.Equal(WithLf(message), dumped.Message);
        var mailArgs = Assert.Single(dumped.EnvelopeLines, l => l.StartsWith("X-Mail-Args: ", StringComparison.Ordinal));
        Assert.StartsWith("X-Mail-Args: <a@sender.test>", mailArgs, StringComparison.Ordinal);

        // RFC 6152 2: a message with 8-bit octets is announced with BODY=8BITMIME.
        Assert.Equal(name == "8bit", mailArgs.Contains("BODY=8BITMIME", StringComparison.Ordinal));
        Assert.Contains(dumped.EnvelopeLines, l => l.StartsWith("X-Rcpt-Args: <b@example.test>", StringComparison.Ordinal));
        Assert.Contains(dumped.EnvelopeLines, l => l.StartsWith("X-Rcpt-Args: <c@example.test>", StringComparison.Ordinal));
        Assert.Contains("X-Helo-Args: gw.ours.test", dumped.EnvelopeLines);
    }

    [Fact]
    public async Task Inbound_route_delivers_to_the_internal_host()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ours.test"] = [new RouteHost("127.0.0.1", sink.Port, 10, false)],
        };
        await using var agent = Jobs.Agent(Jobs.Options(1) with { Routes = routes }, new InMemoryDnsResolver());

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "x@outside.test", Jobs.Rcpt("user@ours.test", MailDirection.Inbound)), CancellationToken.None);

        Assert.Equal(OutcomeKind.Delivered, Assert.Single(outcomes).Kind);
        Assert.Equal(WithLf(Jobs.SimpleMessage), Assert.Single(await sink.WaitForDumpsAsync(1, Wait)).Message);
    }

    [Fact]
    public async Task Smarthost_gets_all_outbound_mail()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var dns = new InMemoryDnsResolver().AddA("relay.ours.test", IPAddress.Loopback);
        var options = Jobs.Options(1) with { Smarthost = new RouteHost("relay.ours.test", sink.Port, 0, false) };
        await using var agent = Jobs.Agent(options, dns);

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@ours.test", Jobs.Rcpt("x@far.test"), Jobs.Rcpt("y@other.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.All(outcomes, o => Assert.Equal("relay.ours.test", o.RemoteMta));
        Assert.Single(await sink.WaitForDumpsAsync(1, Wait));
        Assert.Equal(0, dns.QueryCount("far.test"));
    }

    [Fact]
    public async Task Hard_rejection_of_every_recipient_is_permanent()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-f", "RCPT");
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.PermanentFailure, outcome.Kind);
        Assert.Equal(5, outcome.RemoteCode / 100);
    }

    [Fact]
    public async Task Soft_rejection_of_the_data_is_transient()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-r", "DATA");
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal(4, outcome.RemoteCode / 100);
    }
    [Theory]
    [InlineData("-p")]
    [InlineData("-e")]
    public async Task A_sink_without_pipelining_or_esmtp_gets_the_message_command_by_command(string option)
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback, 0, option);
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));
        var message = SmtpDeliveryAgentTests.Tricky("dots");

        var outcomes = await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt("b@example.test"), Jobs.Rcpt("c@example.test")), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, Wait));
        Assert.Equal(WithLf(message), dumped.Message);
        Assert.Equal(["<b@example.test>", "<c@example.test>"], dumped.RcptArgs);

        // -e: the sink refuses EHLO, so the client fell back to HELO (RFC 5321 3.2) and plain SMTP.
        Assert.Contains(option == "-e" ? "X-Client-Proto: SMTP" : "X-Client-Proto: ESMTP", dumped.EnvelopeLines);
    }

    [Fact]
    public async Task A_sink_without_8bitmime_gets_7bit_mail_and_8bit_mail_fails_unconverted()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-8");
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));

        var eightBit = Assert.Single(await agent.DeliverAsync(Jobs.Job(SmtpDeliveryAgentTests.Tricky("8bit"), "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None));
        var sevenBit = Assert.Single(await agent.DeliverAsync(Jobs.Job(SmtpDeliveryAgentTests.Tricky("qp-and-base64"), "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None));

        Assert.Equal((OutcomeKind.PermanentFailure, "5.6.3"), (eightBit.Kind, eightBit.RemoteEnhancedCode));
        Assert.Equal(OutcomeKind.Delivered, sevenBit.Kind);
        Assert.Equal("<a@sender.test>", Assert.Single(await sink.WaitForDumpsAsync(1, Wait)).MailArgs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dsn_parameters_reach_a_sink_that_offers_dsn_and_no_other(bool hideDsn)
    {
        await using var sink = hideDsn ? await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-N") : await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));
        QueuedRecipient[] recipients =
        [
            Jobs.Rcpt("b@example.test", notify: DsnNotify.Success | DsnNotify.Delay) with { OriginalRecipientType = "rfc822", OriginalRecipient = "B@Example.Test" },
            Jobs.Rcpt("c@example.test"),
        ];
        var envelope = Jobs.Envelope("a@sender.test", recipients) with { Return = DsnReturn.Headers, EnvelopeId = "QQ314159" };

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, envelope, recipients), CancellationToken.None);

        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, Wait));
        if (hideDsn)
        {
            // RFC 3461 4.1: no DSN at the next hop, so the gateway itself owes the success notice.
            Assert.Equal("<a@sender.test>", dumped.MailArgs);
            Assert.Equal(["<b@example.test>", "<c@example.test>"], dumped.RcptArgs);
            Assert.All(outcomes, o => Assert.False(o.DsnPassedOn));
        }
        else
        {
            Assert.Equal("<a@sender.test> ENVID=QQ314159 RET=HDRS", dumped.MailArgs);
            Assert.Equal(["<b@example.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;B@Example.Test", "<c@example.test>"], dumped.RcptArgs);
            Assert.Equal([true, false], outcomes.Select(o => o.DsnPassedOn));
        }
    }

    [Fact]
    public async Task An_a_label_recipient_arrives_as_written_without_smtputf8()
    {
        // smtp-sink offers no SMTPUTF8: had the client turned the domain into a U-label it could not deliver at all.
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("xn--bcher-kva.example"));

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("user@xn--bcher-kva.example")), CancellationToken.None));

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, Wait));
        Assert.Equal("<a@sender.test>", dumped.MailArgs);
        Assert.Equal(["<user@xn--bcher-kva.example>"], dumped.RcptArgs);
    }

    [Fact]
    public async Task An_address_literal_goes_through_the_smarthost()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var dns = new InMemoryDnsResolver().AddA("relay.ours.test", IPAddress.Loopback);
        await using var agent = Jobs.Agent(Jobs.Options(1) with { Smarthost = new RouteHost("relay.ours.test", sink.Port, 0, false) }, dns);

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@ours.test", Jobs.Rcpt("user@[192.0.2.1]")), CancellationToken.None));

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        Assert.Equal("relay.ours.test", outcome.RemoteMta);
        Assert.Equal(["<user@[192.0.2.1]>"], Assert.Single(await sink.WaitForDumpsAsync(1, Wait)).RcptArgs);
    }

    [Fact]
    public async Task A_sink_closing_with_421_defers_and_its_connection_is_dropped()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-Q", "RCPT");
        await using var agent = Jobs.Agent(Jobs.Options(sink.Port), Jobs.LoopbackMx("example.test"));

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt("b@example.test")), CancellationToken.None));

        Assert.Equal(OutcomeKind.TransientFailure, outcome.Kind);
        Assert.Equal(421, outcome.RemoteCode);
        Assert.Equal(0, agent.IdleConnections);
    }
}
