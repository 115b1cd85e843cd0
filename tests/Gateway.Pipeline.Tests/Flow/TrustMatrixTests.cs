using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Pipeline.Tests.Flow.MessageChecksTests;

namespace Gateway.Pipeline.Tests.Flow;

/// <summary>
/// Every cell of the trust matrix the README documents: each kind of client × a recipient in our domains or
/// elsewhere → accepted or not, which steps run, which way the message goes. Everything is switched on (all checks,
/// DKIM signing, ARC sealing), so the step lists are the longest the flows give.
/// </summary>
public sealed class TrustMatrixTests : IDisposable
{
    private static readonly Mailbox Ours = new("bob", "example.test");
    private static readonly Mailbox Elsewhere = new("friend", "remote.test");

    private readonly DkimSigningKey _key = DkimSigningKey.FromPem("example.test", "s1", DkimKeyGenerator.GenerateEd25519().PrivateKeyPem);

    public void Dispose() => _key.Dispose();

    private static GatewayPolicy MatrixPolicy(bool allowRelay) => MessageChecksTests.Policy() with
    {
        Auth = new AuthPolicy
        {
            AllowRelay = allowRelay,
            Senders = new Dictionary<string, IReadOnlyList<SenderPattern>>(StringComparer.Ordinal)
            {
                ["alice"] = [new SenderPattern(null, "example.test"), new SenderPattern(null, "strict.test")],
            },
        },
    };

    private MessagePipeline Pipeline(bool allowRelay)
    {
        var policy = MatrixPolicy(allowRelay);
        return new MessagePipeline(policy, Services(policy, Zones(), signingKeys: [_key], sealKey: _key), NullLogger.Instance);
    }

    // client, authenticated user, auth.allow_relay
    private static readonly Dictionary<string, (string Client, string? User, bool AllowRelay)> Clients = new()
    {
        ["trusted network"] = ("10.1.2.3", null, true),
        ["authenticated with relay"] = ("203.0.113.9", "alice", true),
        ["authenticated without relay"] = ("203.0.113.9", "alice", false),
        ["anonymous"] = ("203.0.113.9", null, true),
    };

    private const string Trace = "header-section loop received";
    private const string Checks = "spf dkim arc dmarc authentication-results arc-seal";

    public static TheoryData<string, bool, string?> Cells => new()
    {
        { "trusted network", true, Trace },
        { "trusted network", false, Trace + " dkim-sign" },
        { "authenticated with relay", true, Trace + " sender-ownership" },
        { "authenticated with relay", false, Trace + " sender-ownership dkim-sign" },
        { "authenticated without relay", true, Trace + " sender-ownership " + Checks },
        { "authenticated without relay", false, null },
        { "anonymous", true, Trace + " " + Checks },
        { "anonymous", false, null },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_cell_accepts_or_refuses_and_runs_its_steps(string client, bool inbound, string? steps)
    {
        var (address, user, allowRelay) = Clients[client];
        var pipeline = Pipeline(allowRelay);
        var handler = new PolicySessionHandler(pipeline, new WriterAcceptor(), NullLogger.Instance);
        var facts = Facts(address) with { AuthenticatedUser = user };

        var decision = await handler.OnRecipientAsync(facts, null, inbound ? Ours : Elsewhere, RecipientParameters.None, default);

        if (steps is null)
        {
            Assert.Equal(VerdictAction.Reject, decision.Verdict.Action);
            Assert.Equal("554 5.7.1 Relay access denied", decision.Verdict.Reply!.ToString());
            return;
        }

        Assert.True(decision.Verdict.IsContinue);
        var direction = inbound ? MailDirection.Inbound : MailDirection.Outbound;
        Assert.Equal(direction, decision.Direction);
        var trust = pipeline.Trust.Classify(facts);
        Assert.Equal(steps, string.Join(' ', pipeline.StepsFor(trust, direction).Select(s => s.Name)));
        Assert.Equal(steps.Contains("spf", StringComparison.Ordinal), pipeline.RunsSpf(trust));
    }

    [Fact]
    public async Task Authenticated_mail_to_our_domains_without_relay_rights_is_judged_like_anyones()
    {
        // The client authenticated but may not relay: its mail is not ours, so a DMARC p=reject failure (strict.test
        // lists only 192.0.2.1) is refused as from anyone else. It used to skip every sender check.
        var acceptor = new WriterAcceptor();
        var handler = new PolicySessionHandler(Pipeline(allowRelay: false), acceptor, NullLogger.Instance);
        var facts = Facts("203.0.113.9") with { AuthenticatedUser = "alice" };

        var reply = await SendAsync(handler, facts, new Mailbox("ceo", "strict.test"), new EnvelopeRecipient(Ours, RecipientParameters.None, MailDirection.Inbound),
            "From: ceo@strict.test\r\nSubject: wire money\r\n\r\nnow\r\n");

        Assert.Equal("550 5.7.1 Message rejected by the DMARC policy of the sender's domain", reply.ToString());
        Assert.NotNull(acceptor.Writer.Refused);
    }

    [Fact]
    public async Task Authenticated_mail_with_relay_rights_is_ours_and_not_judged()
    {
        var acceptor = new WriterAcceptor();
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), acceptor, NullLogger.Instance);
        var facts = Facts("203.0.113.9") with { AuthenticatedUser = "alice" };

        var reply = await SendAsync(handler, facts, new Mailbox("ceo", "strict.test"), new EnvelopeRecipient(Ours, RecipientParameters.None, MailDirection.Inbound),
            "From: ceo@strict.test\r\n\r\nx\r\n");

        Assert.Equal(250, reply.Code);
        Assert.DoesNotContain("Authentication-Results", acceptor.Writer.Added, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", "alice@example.test", true)]
    [InlineData("alice", "someone@sub.example.test", false)]
    [InlineData("alice", "ceo@bank.example", false)]
    [InlineData("bob@example.test", "bob@example.test", true)]
    [InlineData("bob@example.test", "alice@example.test", false)]
    public async Task Authenticated_senders_use_only_envelope_senders_they_own(string user, string sender, bool owned)
    {
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), new WriterAcceptor(), NullLogger.Instance);
        var at = sender.IndexOf('@', StringComparison.Ordinal);

        var verdict = await handler.OnMailFromAsync(Facts("203.0.113.9") with { AuthenticatedUser = user }, new Mailbox(sender[..at], sender[(at + 1)..]), MailParameters.None, default);

        Assert.Equal(owned, verdict.IsContinue);
        if (!owned)
        {
            Assert.Equal($"553 5.7.1 Sender address rejected: not owned by user {user}", verdict.Reply!.ToString());
        }
    }

    [Fact]
    public async Task A_trusted_network_may_use_any_sender_even_when_authenticated()
    {
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), new WriterAcceptor(), NullLogger.Instance);

        var verdict = await handler.OnMailFromAsync(Facts("10.1.2.3") with { AuthenticatedUser = "alice" }, new Mailbox("ceo", "bank.example"), MailParameters.None, default);

        Assert.True(verdict.IsContinue);
    }

    [Theory]
    [InlineData("From: Alice <alice@example.test>\r\n", 250)]
    [InlineData("From: \"CEO\" <ceo@bank.example>\r\n", 553)]
    [InlineData("From: alice@example.test, mallory@bank.example\r\n", 553)]
    [InlineData("From: alice@example.test\r\nFrom: ceo@bank.example\r\n", 553)]
    [InlineData("Subject: no author\r\n", 250)]
    public async Task Authenticated_senders_write_only_from_addresses_they_own(string header, int code)
    {
        var acceptor = new WriterAcceptor();
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), acceptor, NullLogger.Instance);
        var facts = Facts("203.0.113.9") with { AuthenticatedUser = "alice" };

        var reply = await SendAsync(handler, facts, new Mailbox("alice", "example.test"), new EnvelopeRecipient(Elsewhere, RecipientParameters.None, MailDirection.Outbound),
            header + "\r\nbody\r\n");

        Assert.Equal(code, reply.Code);
        if (code == 553)
        {
            Assert.Equal("553 5.7.1 From address rejected: not owned by user alice", reply.ToString());
            Assert.NotNull(acceptor.Writer.Refused);
        }
    }

    [Fact]
    public async Task A_message_to_both_directions_is_split_and_each_part_gets_its_own_steps()
    {
        var acceptor = new WriterAcceptor();
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), acceptor, NullLogger.Instance);
        var facts = Facts("10.1.2.3");
        Assert.True((await handler.OnMailFromAsync(facts, new Mailbox("staff", "example.test"), MailParameters.None, default)).IsContinue);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = new Mailbox("staff", "example.test"),
            MailParameters = MailParameters.None,
            Recipients =
            [
                new EnvelopeRecipient(Elsewhere, RecipientParameters.None, MailDirection.Outbound),
                new EnvelopeRecipient(Ours, RecipientParameters.None, MailDirection.Inbound),
                new EnvelopeRecipient(new Mailbox("carol", "example.test"), RecipientParameters.None, MailDirection.Inbound),
            ],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };

        var (_, writer) = await handler.OnMessageStartAsync(envelope, default);
        await writer!.WriteAsync(Encoding.ASCII.GetBytes("From: staff@example.test\r\nSubject: both ways\r\n\r\nbody\r\n"), default);
        var reply = await writer.CompleteAsync(default);

        Assert.Equal("250 2.0.0 Ok: queued as TESTQUEUE1 and TESTQUEUE2", reply.ToString());
        Assert.Equal(2, acceptor.Parts.Count);
        var (inboundEnvelope, inboundWriter) = acceptor.Parts[0];
        var (outboundEnvelope, outboundWriter) = acceptor.Parts[1];
        Assert.Equal([Ours.ToString(), "carol@example.test"], inboundEnvelope.Recipients.Select(r => r.Address.ToString()));
        Assert.Equal([Elsewhere.ToString()], outboundEnvelope.Recipients.Select(r => r.Address.ToString()));

        // Each part's trace field names its own queue id; only the outbound part is signed.
        Assert.Contains("id TESTQUEUE1", inboundWriter.Added, StringComparison.Ordinal);
        Assert.DoesNotContain("DKIM-Signature", inboundWriter.Added, StringComparison.Ordinal);
        Assert.Contains("id TESTQUEUE2", outboundWriter.Added, StringComparison.Ordinal);
        Assert.StartsWith("DKIM-Signature: ", outboundWriter.Added, StringComparison.Ordinal);
        Assert.EndsWith("Subject: both ways\r\n\r\nbody\r\n", inboundWriter.Delivered, StringComparison.Ordinal);
        Assert.EndsWith("Subject: both ways\r\n\r\nbody\r\n", outboundWriter.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_of_one_part_refuses_the_whole_message()
    {
        var acceptor = new WriterAcceptor();
        var handler = new PolicySessionHandler(Pipeline(allowRelay: true), acceptor, NullLogger.Instance);
        var facts = Facts("203.0.113.9") with { AuthenticatedUser = "alice" };
        Assert.True((await handler.OnMailFromAsync(facts, new Mailbox("alice", "example.test"), MailParameters.None, default)).IsContinue);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = new Mailbox("alice", "example.test"),
            MailParameters = MailParameters.None,
            Recipients =
            [
                new EnvelopeRecipient(Ours, RecipientParameters.None, MailDirection.Inbound),
                new EnvelopeRecipient(Elsewhere, RecipientParameters.None, MailDirection.Outbound),
            ],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };

        var (_, writer) = await handler.OnMessageStartAsync(envelope, default);
        await writer!.WriteAsync(Encoding.ASCII.GetBytes("From: ceo@bank.example\r\n\r\nbody\r\n"), default);
        var reply = await writer.CompleteAsync(default);

        Assert.Equal(553, reply.Code);
        Assert.All(acceptor.Parts, p => Assert.Equal(reply, p.Writer.Refused));
        Assert.All(acceptor.Parts, p => Assert.Null(p.Writer.Amendment));
    }

    [Fact]
    public void The_trust_decision_is_recorded_with_each_part()
    {
        Assert.Equal("network", Pipeline(true).Trust.Classify(Facts("10.1.2.3")).Name);
        Assert.Equal("auth-relay", Pipeline(true).Trust.Classify(Facts("203.0.113.9") with { AuthenticatedUser = "alice" }).Name);
        Assert.Equal("auth", Pipeline(false).Trust.Classify(Facts("203.0.113.9") with { AuthenticatedUser = "alice" }).Name);
        Assert.Equal("none", Pipeline(false).Trust.Classify(Facts("203.0.113.9")).Name);
    }
}
