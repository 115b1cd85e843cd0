using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Gateway.Testing.Logging;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>
/// The inbound pipeline with a spam: section and no sender authentication, driven as the session drives it: one
/// message from an outside client (192.0.2.1) to recipients in our domains example.test and ours.test. Logs and
/// scanner metrics are recorded for the assertions.
/// </summary>
internal sealed class ScannerHarness(SpamPolicy spam, bool inMemory = true)
{
    public ListLogger Logger { get; } = new();

    public RecordingMetrics Metrics { get; } = new();

    public WriterAcceptor Acceptor { get; } = new(inMemory);

    /// <summary>The verdict words of the last message for the transaction's summary log line (null: none).</summary>
    public string? ContentVerdict { get; private set; }

    /// <summary>What was delivered (amendment and content) of the first part.</summary>
    public string Delivered => Acceptor.Writer.Delivered;

    public static GatewayPolicy Policy(SpamPolicy spam) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test", "ours.test"],
        TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        Spam = spam with { Enabled = true },
    };

    public Task<SmtpReply> SendAsync(string message, params string[] recipients) => SendAsync(Encoding.UTF8.GetBytes(message), recipients);

    public async Task<SmtpReply> SendAsync(byte[] message, params string[] recipients)
    {
        var policy = Policy(spam);
        var services = new SpamServices(policy.Spam, null, Metrics);
        var handler = new PolicySessionHandler(new MessagePipeline(policy, null, Logger, spam: services), Acceptor, Logger);
        var facts = new SessionFacts
        {
            SessionId = "s1",
            ListenerName = "inbound",
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 40000),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
            ConnectedAt = DateTimeOffset.UnixEpoch,
            HeloName = "client.example.org",
        };
        var from = new Mailbox("alice", "sender.test");
        var mail = await handler.OnMailFromAsync(facts, from, MailParameters.None, default);
        Assert.True(mail.IsContinue);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = [.. (recipients.Length == 0 ? ["bob@example.test"] : recipients).Select(Recipient)],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(verdict.IsContinue);
        for (var at = 0; at < message.Length; at += 64 * 1024)
        {
            await writer!.WriteAsync(message.AsMemory(at, Math.Min(64 * 1024, message.Length - at)), default);
        }

        var reply = await writer!.CompleteAsync(default);
        ContentVerdict = writer.ContentVerdict;
        return reply;
    }

    /// <summary>A plain message with the given subject (and extra header fields) and body.</summary>
    public static string Message(string subject, string body = "Hello Bob, see you on Thursday.", string extraHeaders = "") =>
        $"From: <alice@sender.test>\r\nTo: <bob@example.test>\r\nSubject: {subject}\r\nMessage-ID: <1@sender.test>\r\n{extraHeaders}\r\n{body}\r\n";

    private static EnvelopeRecipient Recipient(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        return new EnvelopeRecipient(new Mailbox(address[..at], address[(at + 1)..]), RecipientParameters.None, MailDirection.Inbound);
    }
}

/// <summary>The scanner counters as a list of "scanner/what" strings.</summary>
internal sealed class RecordingMetrics : IScannerMetrics
{
    private readonly Lock _lock = new();
    private readonly List<string> _events = [];

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void Detected(string scanner, string finding) => Add($"detected {scanner}/{finding}");

    public void Failed(string scanner, string action) => Add($"failed {scanner}/{action}");

    public void Skipped(string scanner, string reason) => Add($"skipped {scanner}/{reason}");

    private void Add(string text)
    {
        lock (_lock)
        {
            _events.Add(text);
        }
    }
}
