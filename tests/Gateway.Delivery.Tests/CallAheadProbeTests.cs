using System.Net;
using Gateway.Abstractions;
using Gateway.Delivery.Verification;
using Gateway.Dns;
using Gateway.Testing;
using Gateway.Testing.Smtp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Delivery.Tests;

/// <summary>
/// Call-ahead against a scripted internal server reached by the domain's route: the dialogue (EHLO, MAIL FROM:&lt;&gt;,
/// RCPT, RSET, QUIT), what each RCPT reply means, the SIZE the server declares, and every way there is no verdict.
/// </summary>
public sealed class CallAheadProbeTests
{
    private static readonly Mailbox Alice = new("alice", "ours.test");

    private static CallAheadProbe Probe(int port) =>
        new(
            Jobs.Options(25) with { Routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase) { ["ours.test"] = [new RouteHost("127.0.0.1", port, 10, false)] } },
            new InMemoryDnsResolver(),
            TimeProvider.System,
            NullLoggerFactory.Instance);

    [Theory]
    [InlineData("250 2.1.5 Ok", CallAheadOutcome.Accepted)]
    [InlineData("251 2.1.5 User not local; will forward", CallAheadOutcome.Accepted)]
    [InlineData("550 5.1.1 <alice@ours.test>: Recipient address rejected: User unknown", CallAheadOutcome.Refused)]
    [InlineData("551 5.1.6 User not local", CallAheadOutcome.Refused)]
    [InlineData("553 5.1.3 Mailbox name not allowed", CallAheadOutcome.Refused)]
    [InlineData("450 4.2.1 Mailbox busy", CallAheadOutcome.Unavailable)]
    [InlineData("451 4.3.0 Temporary lookup failure", CallAheadOutcome.Unavailable)]
    [InlineData("452 4.5.3 Too many recipients", CallAheadOutcome.Unavailable)]
    [InlineData("554 5.7.1 Relay access denied", CallAheadOutcome.Unavailable)]
    [InlineData("552 5.2.2 Mailbox full", CallAheadOutcome.Unavailable)]
    public async Task The_reply_to_RCPT_decides_and_the_dialogue_leaves_no_transaction(string reply, CallAheadOutcome expected)
    {
        await using var server = new FakeSmtpServer("PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES");
        server.RcptReplies["alice@ours.test"] = reply;

        var result = await Probe(server.Port).ProbeAsync(Alice, TimeSpan.FromSeconds(5), default);

        Assert.Equal(expected, result.Outcome);
        Assert.Contains(reply, result.Diagnostic, StringComparison.Ordinal);
        Assert.Equal(10_240_000, result.MaxMessageSize);
        Assert.Equal(["EHLO gw.ours.test", "MAIL FROM:<>", "RCPT TO:<alice@ours.test>", "RSET", "QUIT"], server.Commands);
        Assert.Empty(server.Transactions);
    }

    [Fact]
    public async Task A_server_without_SIZE_teaches_no_limit()
    {
        await using var server = new FakeSmtpServer("PIPELINING");

        var result = await Probe(server.Port).ProbeAsync(Alice, TimeSpan.FromSeconds(5), default);

        Assert.Equal((CallAheadOutcome.Accepted, (long?)null), (result.Outcome, result.MaxMessageSize));
    }

    [Fact]
    public async Task A_server_that_refuses_the_null_sender_gives_no_verdict()
    {
        await using var server = new FakeSmtpServer { MailReply = "553 5.7.1 Sender address rejected" };

        var result = await Probe(server.Port).ProbeAsync(Alice, TimeSpan.FromSeconds(5), default);

        Assert.Equal(CallAheadOutcome.Unavailable, result.Outcome);
        Assert.Contains("MAIL FROM:<> answered 553", result.Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_down_or_says_421_gives_no_verdict()
    {
        var port = FreePort.Next();
        var down = await Probe(port).ProbeAsync(Alice, TimeSpan.FromSeconds(5), default);
        Assert.Equal(CallAheadOutcome.Unavailable, down.Outcome);

        await using var closing = new FakeSmtpServer { Greeting = "421 4.3.2 Service not available" };
        var refused = await Probe(closing.Port).ProbeAsync(Alice, TimeSpan.FromSeconds(5), default);
        Assert.Equal(CallAheadOutcome.Unavailable, refused.Outcome);
        Assert.Contains("421", refused.Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_gives_no_verdict_within_the_timeout()
    {
        // Accepts the connection and never greets.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var started = DateTime.UtcNow;

        var result = await Probe(((IPEndPoint)silent.LocalEndpoint).Port).ProbeAsync(Alice, TimeSpan.FromSeconds(1), default);

        Assert.Equal(CallAheadOutcome.Unavailable, result.Outcome);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the check outlived its timeout");
    }

    [Fact]
    public async Task A_domain_without_a_route_gives_no_verdict()
    {
        var result = await Probe(25).ProbeAsync(new Mailbox("bob", "elsewhere.test"), TimeSpan.FromSeconds(5), default);

        Assert.Equal(CallAheadOutcome.Unavailable, result.Outcome);
        Assert.Contains("no route", result.Diagnostic, StringComparison.Ordinal);
    }
}
