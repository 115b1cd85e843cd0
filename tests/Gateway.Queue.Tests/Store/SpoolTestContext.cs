using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Gateway.Abstractions;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Queue.Tests.Store;

/// <summary>A spool in a fresh temp directory with a fake clock, a real trace log and the faulty I/O wrapper.</summary>
internal sealed class SpoolTestContext : IAsyncDisposable
{
    public const string HostName = "mx.gateway.test";

    public SpoolTestContext(bool segments = false, long segmentSize = SegmentSpool.DefaultRotateAt)
    {
        Segments = segments;
        SegmentSize = segmentSize;
        Root = TestDirectories.CreateTemp("gwq");
        Trace = new FileTraceLog(Path.Combine(Root, "log"));
        Store = CreateStore();
    }

    public string Root { get; }

    /// <summary>The store keeps new messages in segments once it has recovered (as the running gateway's does).</summary>
    public bool Segments { get; }

    /// <summary>Where the store starts a new segment.</summary>
    public long SegmentSize { get; }

    public string QueueRoot => Path.Combine(Root, "queue");

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public FaultySpoolIo Io { get; } = new();

    public FileTraceLog Trace { get; }

    public FileQueueStore Store { get; private set; }

    public string Messages => Path.Combine(QueueRoot, "messages");

    public string Incoming => Path.Combine(QueueRoot, "incoming");

    public string Corrupt => Path.Combine(QueueRoot, "corrupt");

    public static Envelope MakeEnvelope(params string[] recipients)
    {
        var list = new List<EnvelopeRecipient>();
        foreach (var r in recipients.Length == 0 ? ["bob@example.test"] : recipients)
        {
            var at = r.LastIndexOf('@');
            list.Add(new EnvelopeRecipient(
                new Mailbox(r[..at], r[(at + 1)..]),
                new RecipientParameters { Notify = DsnNotify.Failure | DsnNotify.Delay, OriginalRecipientType = "rfc822", OriginalRecipient = r },
                MailDirection.Inbound));
        }

        return new Envelope
        {
            TransactionId = "t-1",
            Session = new SessionFacts
            {
                SessionId = "s-1",
                ListenerName = "inbound",
                RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40123),
                LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
                ConnectedAt = new DateTimeOffset(2026, 11, 23, 11, 59, 0, TimeSpan.Zero),
                Greeting = GreetingKind.Ehlo,
                HeloName = "client.example.org",
                Tls = new TlsFacts(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384),
            },
            From = new Mailbox("alice", "example.org"),
            MailParameters = new MailParameters { Size = 1234, Body = BodyType.EightBitMime, Return = DsnReturn.Headers, EnvelopeId = "env-42" },
            Recipients = list,
            ReceivedAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        };
    }

    /// <summary>The envelope of a notice we generate (null sender), for EnqueueAsync.</summary>
    public static QueuedEnvelope NoticeEnvelope(string recipient) => new()
    {
        QueueId = string.Empty,
        ReceivedAt = default,
        Origin = QueuedEnvelope.NoticeOrigin,
        From = null,
        Recipients = [new QueuedRecipient(recipient, MailDirection.Outbound, DsnNotify.None, null, null)],
    };

    public static byte[] Message(string subject = "Hello", string body = "Body line\r\n") =>
        Encoding.UTF8.GetBytes($"From: alice@example.org\r\nTo: bob@example.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n\r\n{body}");

    public FileQueueStore CreateStore() =>
        new(QueueRoot, Time, Trace, NullLogger<FileQueueStore>.Instance, Io, Segments) { SegmentSize = SegmentSize };

    /// <summary>Another process's view of the same spool (the queue CLI): no recovery, no segments of its own.</summary>
    public FileQueueStore CreateViewer() =>
        new(QueueRoot, Time, Trace, NullLogger<FileQueueStore>.Instance, Io);

    /// <summary>Simulates a restart: a new store instance over the same directory.</summary>
    public async Task RestartAsync()
    {
        await Store.DisposeAsync();
        Store = CreateStore();
    }

    /// <summary>Sends one message through the acceptor interface, as the SMTP session would, in chunks of the given size.</summary>
    public async Task<SmtpReply> SendAsync(byte[] message, int chunk = 4096, Envelope? envelope = null)
    {
        await using var writer = await Store.BeginAsync(envelope ?? MakeEnvelope(), CancellationToken.None);
        for (var offset = 0; offset < message.Length; offset += chunk)
        {
            await writer.WriteAsync(message.AsMemory(offset, Math.Min(chunk, message.Length - offset)), CancellationToken.None);
        }

        return await writer.CompleteAsync(CancellationToken.None);
    }

    public static string QueueIdOf(SmtpReply reply)
    {
        Assert.Equal(250, reply.Code);
        const string prefix = "Ok: queued as ";
        Assert.StartsWith(prefix, reply.Lines[0], StringComparison.Ordinal);
        return reply.Lines[0][prefix.Length..];
    }

    public string[] Files(string directory) =>
        Directory.EnumerateFiles(Path.Combine(QueueRoot, directory)).Select(Path.GetFileName).Select(n => n!).Order(StringComparer.Ordinal).ToArray();

    public async Task<List<TraceEvent>> TraceEventsAsync()
    {
        var events = new List<TraceEvent>();
        await foreach (var e in Trace.ReadAsync(DateTimeOffset.MinValue, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Trace.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
