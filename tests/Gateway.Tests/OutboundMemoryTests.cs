using System.Net;
using Gateway.Abstractions;
using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Spf;
using Gateway.Dns;
using Gateway.Pipeline;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

[CollectionDefinition(nameof(OutboundMemoryTests), DisableParallelization = true)]
public sealed class OutboundMemoryCollection;

/// <summary>
/// A large message through the outbound flow (DKIM signing, Received) and the real spool costs buffers, not its size:
/// signing hashes the body from the spool file in bounded pieces instead of reading it whole. Measured as bytes the
/// process allocates for a 30 MB message against a 5 KB one, with nothing else running in this assembly meanwhile.
/// </summary>
[Collection(nameof(OutboundMemoryTests))]
public sealed class OutboundMemoryTests : IAsyncDisposable
{
    private const long Budget = 2 * 1024 * 1024;

    private readonly string _root = TestDirectories.CreateTemp("gw-memory");
    private readonly DkimSigningKey _key = DkimSigningKey.FromPem("example.test", "s1", DkimKeyGenerator.GenerateEd25519().PrivateKeyPem);

    public async ValueTask DisposeAsync()
    {
        _key.Dispose();
        await Task.Yield();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_30_mb_message_through_the_outbound_flow_allocates_about_what_a_5_kb_one_does()
    {
        await using var store = new FileQueueStore(Path.Combine(_root, "queue"), TimeProvider.System, new FileTraceLog(Path.Combine(_root, "log")), NullLogger<FileQueueStore>.Instance);
        var handler = Handler(store);

        // Warm up every path (JIT, pools) before measuring.
        await SendAsync(handler, 5 * 1024);
        var small = await AllocatedWhileSendingAsync(handler, 5 * 1024);
        var large = await AllocatedWhileSendingAsync(handler, 30 * 1024 * 1024);

        Assert.True(large - small < Budget, $"5 KB: {small:N0} bytes allocated, 30 MB: {large:N0} bytes");
    }

    private PolicySessionHandler Handler(FileQueueStore store)
    {
        var policy = new GatewayPolicy
        {
            HostName = "mx.example.test",
            StateDirectory = _root,
            Domains = ["example.test"],
            TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        };
        var dns = new InMemoryDnsResolver();
        var services = new SenderAuthentication
        {
            Policy = policy.Authentication,
            AuthservId = policy.HostName,
            Spf = new SpfVerifier(dns),
            Dkim = new DkimVerifierService(dns, DkimVerifyOptions.Default, TimeProvider.System),
            Arc = new ArcVerifierService(dns, DkimVerifyOptions.Default),
            Dmarc = new DmarcEvaluator(dns, PublicSuffixList.LoadEmbedded()),
            Signer = new DkimSigningService(TimeProvider.System),
            Sealer = new ArcSealingService(TimeProvider.System),
            SigningKeys = [_key],
            Time = TimeProvider.System,
        };
        return new PolicySessionHandler(new MessagePipeline(policy, services, NullLogger.Instance), store, NullLogger.Instance);
    }

    private static async Task<long> AllocatedWhileSendingAsync(PolicySessionHandler handler, int size)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await SendAsync(handler, size);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>One message from an internal server to a remote recipient, in 64 KiB writes as a session makes them.</summary>
    private static async Task SendAsync(PolicySessionHandler handler, int size)
    {
        var facts = new SessionFacts
        {
            SessionId = "s1",
            ListenerName = "inbound",
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 40000),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
            ConnectedAt = DateTimeOffset.UnixEpoch,
            HeloName = "internal.example.test",
        };
        var from = new Mailbox("staff", "example.test");
        Assert.True((await handler.OnMailFromAsync(facts, from, MailParameters.None, default)).IsContinue);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = [new EnvelopeRecipient(new Mailbox("friend", "remote.example"), RecipientParameters.None, MailDirection.Outbound)],
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        var (_, started) = await handler.OnMessageStartAsync(envelope, default);
        var writer = started!;
        await using (writer)
        {
            var header = "From: staff@example.test\r\nTo: friend@remote.example\r\nSubject: large\r\n\r\n"u8.ToArray();
            await writer.WriteAsync(header, default);
            var line = System.Text.Encoding.ASCII.GetBytes(new string('x', 78) + "\r\n");
            var chunk = new byte[64 * 1024 / line.Length * line.Length];
            for (var i = 0; i < chunk.Length; i += line.Length)
            {
                line.CopyTo(chunk, i);
            }

            for (var written = 0; written < size; written += chunk.Length)
            {
                await writer.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)), default);
            }

            var reply = await writer.CompleteAsync(default);
            Assert.Equal(250, reply.Code);
        }
    }
}
