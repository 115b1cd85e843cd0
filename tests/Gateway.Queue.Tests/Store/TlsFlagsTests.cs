using System.Text;
using Gateway.Abstractions;

namespace Gateway.Queue.Tests.Store;

/// <summary>
/// The RFC 8689 flags delivery reads: REQUIRETLS from the envelope, TLS-Required: No from the message's flags record.
/// Both survive a restart, and neither changes the bytes delivered.
/// </summary>
public sealed class TlsFlagsTests
{
    private const string ClientMessage = "From: alice@example.org\r\nTLS-Required: No\r\nSubject: flags\r\n\r\nBody line\r\n";

    private static async Task<string> StoreAsync(SpoolTestContext ctx, Envelope envelope, MessageAmendment amendment)
    {
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(envelope, CancellationToken.None);
        await writer.WriteAsync(Encoding.ASCII.GetBytes(ClientMessage), CancellationToken.None);
        var reply = await writer.CompleteAsync(amendment, CancellationToken.None);
        await writer.DisposeAsync();
        Assert.Equal(250, reply.Code);
        return SpoolTestContext.QueueIdOf(reply);
    }

    private static async Task<string> DeliveredAsync(SpoolTestContext ctx, string id)
    {
        await using var stream = await ctx.Store.OpenMessageAsync(id, CancellationToken.None);
        return await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tls_required_no_survives_a_restart_with_or_without_an_amended_header(bool withPrefix)
    {
        await using var ctx = new SpoolTestContext();
        var received = "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n";
        var amendment = new MessageAmendment { TlsRequiredNo = true, Prefix = withPrefix ? Encoding.ASCII.GetBytes(received) : default };
        var id = await StoreAsync(ctx, SpoolTestContext.MakeEnvelope(), amendment);
        Assert.True((await ctx.Store.GetAsync(id, CancellationToken.None))!.Envelope.TlsRequiredNo);

        await ctx.RestartAsync();
        Assert.Equal([id], await ctx.Store.RecoverAsync(CancellationToken.None));

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.True(entry!.Envelope.TlsRequiredNo);
        Assert.False(entry.Envelope.RequireTls);
        Assert.Equal((withPrefix ? received : string.Empty) + ClientMessage, await DeliveredAsync(ctx, id));
    }

    [Fact]
    public async Task Requiretls_is_kept_in_the_envelope_and_shown_in_the_trace()
    {
        await using var ctx = new SpoolTestContext();
        var envelope = SpoolTestContext.MakeEnvelope();
        envelope = envelope with { MailParameters = envelope.MailParameters with { RequireTls = true } };
        var id = await StoreAsync(ctx, envelope, MessageAmendment.None);

        await ctx.RestartAsync();
        await ctx.Store.RecoverAsync(CancellationToken.None);

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.True(entry!.Envelope.RequireTls);
        Assert.False(entry.Envelope.TlsRequiredNo);
        Assert.Equal(ClientMessage, await DeliveredAsync(ctx, id));
        var received = Assert.Single(await ctx.TraceEventsAsync(), e => e.Event == "received");
        Assert.Contains("tls=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 requiretls", received.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_without_flags_has_none()
    {
        await using var ctx = new SpoolTestContext();
        var id = await StoreAsync(ctx, SpoolTestContext.MakeEnvelope(), MessageAmendment.None);
        await ctx.RestartAsync();
        await ctx.Store.RecoverAsync(CancellationToken.None);

        var entry = await ctx.Store.GetAsync(id, CancellationToken.None);
        Assert.False(entry!.Envelope.TlsRequiredNo);
        Assert.False(entry.Envelope.RequireTls);
    }
}
