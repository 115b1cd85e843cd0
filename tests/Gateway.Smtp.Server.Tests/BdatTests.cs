using System.Text;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

public sealed class BdatTests
{
    private static async Task<SmtpTestClient> StartTransactionAsync(TestServer server)
    {
        var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<sender@x.example>", 250, "2.1.0");
        await client.CommandAsync("RCPT TO:<rcpt@ours.example>", 250, "2.1.5");
        return client;
    }

    [Fact]
    public async Task Chunks_are_acknowledged_and_the_last_completes_the_message_byte_exact()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        // No dot-unstuffing in BDAT: ".." stays as sent (RFC 3030 2).
        await client.SendRawAsync("BDAT 14\r\nSubject: x\r\n..");
        var first = await client.ExpectAsync(250, "2.0.0");
        Assert.Equal("2.0.0 14 octets received", first.Last);
        await client.SendRawAsync("BDAT 8 LAST\r\n\r\nbody\r\n");
        await client.ExpectAsync(250, "2.0.0");

        var message = Assert.Single(server.Handler.Messages);
        Assert.Equal("Subject: x\r\n..\r\nbody\r\n", message.BodyText);
        Assert.True(message.Envelope.ViaChunking);
    }

    [Fact]
    public async Task Pipelined_chunks_get_replies_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.SendRawAsync("BDAT 3\r\nab\rBDAT 1\r\n\nBDAT 0 LAST\r\nNOOP\r\n");
        await client.ExpectAsync(250, "2.0.0");
        await client.ExpectAsync(250, "2.0.0");
        await client.ExpectAsync(250, "2.0.0");
        await client.ExpectAsync(250, "2.0.0");

        // The CR closing chunk one and the LF opening chunk two form one CRLF: no defect.
        Assert.Equal("ab\r\n", Assert.Single(server.Handler.Messages).BodyText);
    }

    [Fact]
    public async Task Bdat_zero_last_after_chunks_completes()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.SendRawAsync("BDAT 4\r\nhi\r\n");
        await client.ExpectAsync(250);
        await client.CommandAsync("BDAT 0 LAST", 250, "2.0.0");
        Assert.Equal("hi\r\n", Assert.Single(server.Handler.Messages).BodyText);
    }

    [Fact]
    public async Task A_refused_bdat_still_consumes_its_octets()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.GreetAsync();

        // No transaction: BDAT is out of sequence, but its 28 octets look like commands and must not run.
        var payload = "MAIL FROM:<evil@x.example>\r\n";
        Assert.Equal(28, Encoding.ASCII.GetByteCount(payload));
        await client.SendRawAsync("BDAT 28\r\n" + payload);
        await client.ExpectAsync(503, "5.5.1");
        await client.CommandAsync("RCPT TO:<a@ours.example>", 503, "5.5.1");
    }

    [Fact]
    public async Task Data_after_bdat_in_the_same_transaction_is_out_of_sequence()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.SendRawAsync("BDAT 2\r\nab");
        await client.ExpectAsync(250);
        await client.CommandAsync("DATA", 503, "5.5.1");
        await client.CommandAsync("RSET", 250, "2.0.0");
        Assert.Empty(server.Handler.Messages);
        Assert.True(Assert.Single(server.Handler.Writers).Disposed);
    }

    [Fact]
    public async Task Chunks_over_the_size_limit_fail_the_transaction_at_once()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxMessageSize = 10 });
        await using var client = await StartTransactionAsync(server);

        await client.SendRawAsync("BDAT 8\r\n12345678");
        await client.ExpectAsync(250);
        await client.SendRawAsync("BDAT 8 LAST\r\n12345678");
        await client.ExpectAsync(552, "5.3.4");
        await client.CommandAsync("NOOP", 250);
        Assert.Empty(server.Handler.Messages);
    }

    [Fact]
    public async Task A_bare_lf_inside_chunks_is_refused_at_the_last_chunk()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await StartTransactionAsync(server);

        await client.SendRawAsync("BDAT 4 LAST\r\na\nb\r\n");
        await client.ExpectAsync(550, "5.5.2");
        Assert.Empty(server.Handler.Messages);
    }
}
