using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Pipeline.Tests.Flow;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>
/// The spam step's quarantine: a message at or above the quarantine threshold is accepted with a quarantine note
/// carrying its score, threshold and tests, keeps the status fields but gets no spam flag, and the transaction's
/// verdict says so; below it, it is tagged and the verdict names score, threshold and action.
/// </summary>
public sealed class SpamQuarantineTests
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static GatewayPolicy Policy() => MessageChecksTests.Policy() with
    {
        Spam = new SpamPolicy
        {
            Enabled = true,
            Default = new SpamDomainPolicy { Threshold = 5, Action = SpamAction.Tag, QuarantineThreshold = 10, SubjectPrefix = "[SPAM]" },
        },
    };

    [Fact]
    public async Task Gtube_is_accepted_into_the_quarantine_with_its_verdict_and_without_a_spam_flag()
    {
        var (reply, writer, verdict) = await SendAsync($"From: x@sender.test\r\nSubject: offer\r\n\r\n{Gtube}\r\n");

        Assert.Equal(250, reply.Code);
        var note = writer.Amendment!.Quarantine!;
        Assert.Equal("spam", note.Source);
        Assert.True(note.Score >= 1000);
        Assert.Equal(10, note.Threshold);
        Assert.Contains(note.Tests, t => t.StartsWith("GTUBE=", StringComparison.Ordinal));
        Assert.Contains("X-Spam-Status: Yes, score=", writer.Added, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Spam-Flag", writer.Added, StringComparison.Ordinal);
        Assert.DoesNotContain("[SPAM]", writer.Added, StringComparison.Ordinal);
        Assert.StartsWith("quarantined (spam): spam 10", verdict, StringComparison.Ordinal);
        Assert.EndsWith("/10.0 quarantine", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ham_is_tagged_as_such_and_the_verdict_names_score_threshold_and_action()
    {
        var (reply, writer, verdict) = await SendAsync("From: x@sender.test\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n");

        Assert.Equal(250, reply.Code);
        Assert.Null(writer.Amendment!.Quarantine);
        Assert.Contains("X-Spam-Status: No, score=", writer.Added, StringComparison.Ordinal);
        Assert.Matches(@"^spam -?\d+\.\d/5\.0 none$", verdict);
    }

    private static async Task<(SmtpReply Reply, MemoryMessageWriter Writer, string? Verdict)> SendAsync(string message)
    {
        var policy = Policy();
        var acceptor = new WriterAcceptor();
        var pipeline = new MessagePipeline(policy, null, NullLogger.Instance, spam: new SpamServices(policy.Spam, null));
        var handler = new PolicySessionHandler(pipeline, acceptor, NullLogger.Instance);
        var facts = MessageChecksTests.Facts("192.0.2.7");
        var from = new Mailbox("x", "sender.test");
        Assert.True((await handler.OnMailFromAsync(facts, from, MailParameters.None, default)).IsContinue);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = [new EnvelopeRecipient(new Mailbox("bob", "example.test"), RecipientParameters.None, MailDirection.Inbound)],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (start, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(start.IsContinue);
        await writer!.WriteAsync(Encoding.UTF8.GetBytes(message), default);
        var reply = await writer.CompleteAsync(default);
        return (reply, acceptor.Writer, writer.ContentVerdict);
    }
}
