using Gateway.Host.Cli;
using Gateway.Queue;

namespace Gateway.Tests;

public sealed class TraceCommandTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_reason_of_the_gateways_own_is_marked_ours_and_not_given_as_the_remote_hosts_reply()
    {
        var line = TraceCommand.Line(new TraceEvent(At, "deferred", "06h50su5a1p40obj", "a@example.org", ["b@example.test"], "mx.example.test",
            "451 4.7.4 delivery to mx:example.test failed temporarily: TLS required by policy (encrypt): STARTTLS not offered by mx.example.test", null,
            LocalReply: true));

        Assert.Equal(
            "2026-12-07 12:00:00.000Z deferred from=<a@example.org> to=b@example.test remote=mx.example.test reply=\"ours: 451 4.7.4 delivery to mx:example.test failed temporarily: TLS required by policy (encrypt): STARTTLS not offered by mx.example.test\"",
            line);
    }

    [Fact]
    public void The_remote_hosts_reply_is_shown_as_it_was_said()
    {
        var line = TraceCommand.Line(new TraceEvent(At, "deferred", "06h50su5a1p40obj", "a@example.org", ["b@example.test"], "mx.example.test", "451 4.2.0 mailbox busy", null));

        Assert.EndsWith(" remote=mx.example.test reply=\"451 4.2.0 mailbox busy\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_received_event_names_the_message_id_the_client_gave()
    {
        var line = TraceCommand.Line(new TraceEvent(At, "received", "06h50su5a1p40obj", "a@example.org", ["b@example.test"], "192.0.2.1",
            "250 2.0.0 Ok: queued as 06h50su5a1p40obj", "origin=inbound size=120", MessageId: "<abc.1@example.org>"));

        Assert.Equal(
            "2026-12-07 12:00:00.000Z received from=<a@example.org> to=b@example.test msgid=<abc.1@example.org> remote=192.0.2.1 reply=\"250 2.0.0 Ok: queued as 06h50su5a1p40obj\" (origin=inbound size=120)",
            line);
    }
}
