using Gateway.Smtp.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Smtp.Server.Tests;

public sealed class LimitsTests
{
    [Fact]
    public async Task Too_many_errors_end_the_session_with_421()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxErrors = 3 });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.CommandAsync("BOGUS", 500, "5.5.1");
        await client.CommandAsync("RCPT TO:<a@ours.example>", 503, "5.5.1");
        await client.CommandAsync("BOGUS", 500, "5.5.1");
        await client.ExpectAsync(421, "4.7.0");

        Assert.True(await client.IsClosedAsync());
        Assert.True(server.Logs.Has(1061));
    }

    [Fact]
    public async Task Refused_recipients_count_toward_the_error_limit()
    {
        // Address harvesting: RCPT after RCPT refused must end the session like any other run of errors.
        await using var server = await TestServer.StartAsync(o => o with { MaxErrors = 3 });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        await client.CommandAsync("RCPT TO:<u1@denied.example>", 554, "5.7.1");
        await client.CommandAsync("RCPT TO:<u2@denied.example>", 554, "5.7.1");
        await client.SendRawAsync("RCPT TO:<u3@denied.example>\r\n");
        await client.ExpectAsync(554, "5.7.1");
        await client.ExpectAsync(421, "4.7.0");

        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task A_command_line_must_arrive_whole_within_the_command_timeout()
    {
        // One octet now and then used to restart the timer on every read and hold the session until its deadline.
        await using var server = await TestServer.StartAsync(o => o with { CommandTimeout = TimeSpan.FromMilliseconds(600), MinDataRate = 0 });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        var started = DateTime.UtcNow;
        var reply = await DripUntilAnsweredAsync(client, "NOOP " + new string('x', 200));

        Assert.Equal((421, "4.4.2"), (reply.Code, reply.EnhancedCode));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task A_message_body_slower_than_the_minimum_data_rate_gets_421()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            DataBlockTimeout = TimeSpan.FromMinutes(1),
            MinDataRate = 100,
            MinDataRateGrace = TimeSpan.FromMilliseconds(300),
        });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);

        var reply = await DripUntilAnsweredAsync(client, "Subject: one octet at a time\r\n\r\nbody\r\n");

        Assert.Equal((421, "4.4.2"), (reply.Code, reply.EnhancedCode));
        Assert.Empty(server.Handler.Messages);
        Assert.Contains("data rate below the minimum", server.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_body_at_a_normal_rate_is_not_cut()
    {
        // Fake time: the pauses are exactly what the rate check sees, however slow the machine.
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(o => o with { MinDataRate = 100, MinDataRateGrace = TimeSpan.FromMilliseconds(300) }, time: time);
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);

        // 5 KB in pieces 50 ms apart, well past the grace period and far above 100 octets per second on average.
        // The clock moves on only once the session has the piece, as it would on a real network.
        for (var i = 1; i <= 10; i++)
        {
            await client.SendRawAsync(new string('x', 500) + "\r\n");
            await WaitUntilAsync(() => server.Handler.Writers.Single().Length >= 500 * i);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        await client.CommandAsync(".", 250);
    }

    [Fact]
    public async Task The_minimum_data_rate_counts_from_the_first_octet_of_the_body_not_from_354()
    {
        // Until the body begins the wait is the data block timeout's (RFC 5321 4.5.3.2); a client that starts the body a
        // minute after 354 must not be cut after the rate's grace period.
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(
            o => o with { MinDataRate = 100, MinDataRateGrace = TimeSpan.FromMilliseconds(300), DataBlockTimeout = TimeSpan.FromMinutes(3) },
            time: time);
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);

        // Let the session reach its wait for the body before the clock moves.
        await Task.Delay(300);
        time.Advance(TimeSpan.FromMinutes(1));

        await client.SendRawAsync("Subject: late start\r\n\r\nbody\r\n");
        await client.CommandAsync(".", 250);
    }

    /// <summary>Sends the text one octet every 100 ms until the server answers (or the text runs out, 50 s at most).</summary>
    private static async Task<SmtpResponse> DripUntilAnsweredAsync(SmtpTestClient client, string text)
    {
        var pending = client.ReadReplyAsync();
        foreach (var c in text)
        {
            if (pending.IsCompleted)
            {
                break;
            }

            try
            {
                await client.SendRawAsync(c.ToString());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(pending, Task.Delay(100));
        }

        return await pending;
    }

    [Fact]
    public async Task A_silent_client_gets_421_after_the_greeting_timeout()
    {
        await using var server = await TestServer.StartAsync(o => o with { GreetingTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        var reply = await client.ExpectAsync(421, "4.4.2");

        Assert.Equal("4.4.2 mx.test Error: timeout exceeded", reply.Last);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task A_client_silent_between_commands_gets_421_after_the_command_timeout()
    {
        await using var server = await TestServer.StartAsync(o => o with { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        await client.ExpectAsync(421, "4.4.2");
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task A_client_stalling_inside_data_gets_421_and_the_message_is_dropped()
    {
        await using var server = await TestServer.StartAsync(o => o with { DataBlockTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: half a message\r\n");

        await client.ExpectAsync(421, "4.4.2");

        Assert.True(await client.IsClosedAsync());
        Assert.Empty(server.Handler.Messages);
        var writer = Assert.Single(server.Handler.Writers);
        Assert.True(writer.Disposed);
        Assert.False(writer.Completed);
    }

    [Fact]
    public async Task The_session_deadline_ends_even_a_busy_session()
    {
        await using var server = await TestServer.StartAsync(o => o with { SessionDeadline = TimeSpan.FromMilliseconds(500) });
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        SmtpResponse reply;
        var sent = 0;
        do
        {
            await Task.Delay(50);
            await client.SendRawAsync("NOOP\r\n");
            reply = await client.ReadReplyAsync();
            sent++;
        }
        while (reply.Code == 250 && sent < 100);

        Assert.Equal(421, reply.Code);
        Assert.Equal("4.4.2", reply.EnhancedCode);
    }

    [Fact]
    public async Task The_default_command_timeout_runs_on_the_injected_time_provider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await TestServer.StartAsync(time: time);
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        var pending = client.ReadReplyAsync();
        var advanced = TimeSpan.Zero;
        while (!pending.IsCompleted && advanced < TimeSpan.FromMinutes(20))
        {
            time.Advance(TimeSpan.FromSeconds(15));
            advanced += TimeSpan.FromSeconds(15);
            await Task.Delay(10);
        }

        var reply = await pending;
        Assert.Equal(421, reply.Code);
        Assert.Equal("4.4.2", reply.EnhancedCode);

        // RFC 5321 4.5.3.2.7: not before five minutes of fake time.
        Assert.True(advanced >= TimeSpan.FromMinutes(5), $"timed out after {advanced}");
    }

    [Fact]
    public async Task A_client_that_talks_before_the_banner_is_rejected()
    {
        await using var server = await TestServer.StartAsync(o => o with { PregreetDelay = TimeSpan.FromMilliseconds(400) });
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync("EHLO impatient.example\r\n");

        // RFC 5321 3.1: after a 554 greeting the server must wait for QUIT; 521 (RFC 7504 3) is the reply after
        // which it may close, as postscreen does.
        await client.ExpectAsync(521, "5.5.0");
        Assert.True(await client.IsClosedAsync());
        Assert.True(server.Logs.Has(1021));
        Assert.Empty(server.Handler.Connects);
    }

    [Fact]
    public async Task A_client_that_waits_for_the_banner_is_greeted_after_the_delay()
    {
        await using var server = await TestServer.StartAsync(o => o with { PregreetDelay = TimeSpan.FromMilliseconds(200) });
        await using var client = await server.ConnectAsync();

        await client.GreetAsync();
    }

    [Fact]
    public async Task Early_talkers_are_greeted_when_rejection_is_off()
    {
        await using var server = await TestServer.StartAsync(o => o with { PregreetDelay = TimeSpan.FromMilliseconds(200), RejectEarlyTalkers = false });
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync("EHLO impatient.example\r\n");

        await client.ExpectAsync(220);
        await client.ExpectAsync(250);
    }

    [Fact]
    public async Task Connections_beyond_the_per_client_limit_get_421()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxConnectionsPerClient = 2 });
        await using var first = await server.ConnectAsync();
        await first.ExpectAsync(220);
        await using var second = await server.ConnectAsync();
        await second.ExpectAsync(220);
        Assert.Equal(2, server.Server.OpenSessions);

        await using var third = await server.ConnectAsync();
        await third.ExpectAsync(421, "4.7.0");
        Assert.True(await third.IsClosedAsync());

        // A slot frees when a session ends.
        await first.CommandAsync("QUIT", 221);
        Assert.True(await first.IsClosedAsync());
        await WaitUntilAsync(() => server.Server.OpenSessions == 1);
        await using var fourth = await server.ConnectAsync();
        await fourth.ExpectAsync(220);
    }

    [Fact]
    public async Task Connections_beyond_the_total_limit_get_421()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxConnections = 1 });
        await using var first = await server.ConnectAsync();
        await first.ExpectAsync(220);

        await using var second = await server.ConnectAsync();
        await second.ExpectAsync(421, "4.7.0");
        Assert.True(server.Logs.Has(1020));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
