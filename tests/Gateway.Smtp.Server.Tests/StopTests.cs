using Gateway.Smtp.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Smtp.Server.Tests;

public sealed class StopTests
{
    [Fact]
    public async Task Stop_sends_421_to_idle_sessions_and_returns_when_they_ended()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        await server.Server.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        await client.ExpectAsync(421, "4.3.2");
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(0, server.Server.OpenSessions);
    }

    [Fact]
    public async Task A_message_in_progress_may_finish_before_the_deadline()
    {
        // Fake time: the deadline cannot pass while the test looks, however slow the machine.
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider());
        var idle = await server.ConnectAsync();
        await idle.GreetAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: slow\r\n");

        var stop = server.Server.StopAsync(TimeSpan.FromSeconds(20), CancellationToken.None);

        // The idle session is told to go once the stop has closed the listeners; from there the stop only waits
        // for the sessions, and one of them is in the middle of a message.
        await using (idle)
        {
            await idle.ExpectAsync(421, "4.3.2");
            Assert.True(await idle.IsClosedAsync());
        }

        Assert.False(stop.IsCompleted);

        await client.SendRawAsync("\r\nbody\r\n.\r\n");
        await client.ExpectAsync(250, "2.0.0");

        // Once the message is done the session is idle, and idle sessions are told to go. The server lingers for
        // the client's close (on the fake clock, for ever), so the client closes as a well-behaved one does.
        await client.ExpectAsync(421, "4.3.2");
        await client.DisposeAsync();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(server.Handler.Messages);
    }

    [Fact]
    public async Task A_message_still_in_progress_at_the_deadline_is_cut_off_with_421()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: never ends\r\n");

        await server.Server.StopAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        await client.ExpectAsync(421, "4.3.2");
        Assert.True(await client.IsClosedAsync());
        Assert.Empty(server.Handler.Messages);
        Assert.True(Assert.Single(server.Handler.Writers).Disposed);
    }

    [Fact]
    public async Task After_stop_no_new_connection_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        var endPoint = server.EndPoint;
        await server.Server.StopAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(async () =>
        {
            await using var client = await SmtpTestClient.ConnectAsync(endPoint);
        });
    }

    [Fact]
    public async Task Cancelling_stop_cuts_off_a_message_at_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        await client.CommandAsync("RCPT TO:<b@ours.example>", 250);
        await client.CommandAsync("DATA", 354);
        await client.SendRawAsync("Subject: x\r\n");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await server.Server.StopAsync(TimeSpan.FromHours(1), cancel.Token).WaitAsync(TimeSpan.FromSeconds(10));

        await client.ExpectAsync(421, "4.3.2");
        Assert.Empty(server.Handler.Messages);
    }
}
