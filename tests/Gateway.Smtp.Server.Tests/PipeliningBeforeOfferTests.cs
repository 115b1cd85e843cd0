using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

/// <summary>The pipelining test of postscreen: commands sent before PIPELINING was offered become a session fact.</summary>
public sealed class PipeliningBeforeOfferTests
{
    [Fact]
    public async Task Mail_sent_with_ehlo_in_one_write_is_recorded_and_still_served()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        await client.SendRawAsync("EHLO bot.example\r\nMAIL FROM:<a@b.example>\r\n");

        await client.ExpectAsync(250);
        await client.ExpectAsync(250);
        Assert.True(Assert.Single(server.Handler.MailFacts).PipelinedWithoutOffer);
        Assert.Single(server.Logs.Lines, l => l.EventId == 1090);
    }

    [Fact]
    public async Task A_client_that_waits_for_the_ehlo_reply_is_not_recorded()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        await client.CommandAsync("EHLO mta.example", 250);
        await client.SendRawAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<u@ours.example>\r\n");
        await client.ExpectAsync(250);
        await client.ExpectAsync(250);

        Assert.False(Assert.Single(server.Handler.MailFacts).PipelinedWithoutOffer);
        Assert.False(server.Logs.Has(1090));
    }

    [Fact]
    public async Task Pipelining_after_helo_is_recorded_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);
        await client.CommandAsync("HELO old.example", 250);

        await client.SendRawAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<u@ours.example>\r\nRSET\r\n");
        await client.ExpectAsync(250);
        await client.ExpectAsync(250);
        await client.ExpectAsync(250);

        Assert.True(Assert.Single(server.Handler.MailFacts).PipelinedWithoutOffer);
        Assert.Single(server.Logs.Lines, l => l.EventId == 1090);
    }

    [Fact]
    public async Task Helo_commands_sent_one_at_a_time_are_not_recorded()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.ExpectAsync(220);

        await client.CommandAsync("HELO old.example", 250);
        await client.CommandAsync("MAIL FROM:<a@b.example>", 250);
        await client.CommandAsync("RCPT TO:<u@ours.example>", 250);

        Assert.False(Assert.Single(server.Handler.MailFacts).PipelinedWithoutOffer);
        Assert.False(server.Logs.Has(1090));
    }
}
