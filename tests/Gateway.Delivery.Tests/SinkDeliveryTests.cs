using System.Net;
using Gateway.Abstractions;
using Gateway.Dns;
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

        // RFC 6152 2: a body declared 8bit is announced with BODY=8BITMIME.
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
}
