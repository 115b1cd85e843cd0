using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Recipients;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Pipeline.Tests.Recipients;

/// <summary>
/// Recipient verification from remote sources: the cache's TTLs on a fake clock, the concurrency cap, the replies
/// at RCPT (550 5.1.1, 451 4.4.3, 552 5.3.4) and at the end of data, and the size limit's order. The RFC 4515
/// filter escaping is LdapFilterTests' (Gateway.Lookups), and the integration test's "*@example.test" against slapd.
/// </summary>
public sealed class RecipientVerificationTests
{
    private static readonly Mailbox Alice = new("alice", "example.test");
    private static readonly Mailbox Mallory = new("mallory", "example.test");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private RecipientCache Cache(int concurrency = 10) =>
        new("example.test", TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), concurrency, TimeSpan.FromSeconds(5), _time, NullLogger.Instance);

    [Fact]
    public async Task Known_addresses_are_remembered_for_the_found_TTL_and_unknown_ones_for_the_not_found_TTL()
    {
        var source = new ScriptedSource(r => r.LocalPart.Equals("alice", StringComparison.OrdinalIgnoreCase) ? RecipientStatus.Known : RecipientStatus.Unknown);
        var cache = Cache();

        Assert.Equal(RecipientStatus.Known, (await cache.CheckAsync(Alice, source, default)).Status);
        Assert.Equal(RecipientStatus.Unknown, (await cache.CheckAsync(Mallory, source, default)).Status);
        Assert.Equal(2, source.Calls);

        // Within their TTLs: from memory, whatever the case of the local part.
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(("cached", RecipientStatus.Known), Answer(await cache.CheckAsync(new Mailbox("ALICE", "example.test"), source, default)));
        Assert.Equal(("cached", RecipientStatus.Unknown), Answer(await cache.CheckAsync(Mallory, source, default)));
        Assert.Equal(2, source.Calls);

        // A new colleague shows once the negative answer expires; the positive one lasts its hour.
        _time.Advance(TimeSpan.FromMinutes(2));
        source.Answer = _ => RecipientStatus.Known;
        Assert.Equal(RecipientStatus.Known, (await cache.CheckAsync(Mallory, source, default)).Status);
        Assert.Equal(("cached", RecipientStatus.Known), Answer(await cache.CheckAsync(Alice, source, default)));
        Assert.Equal(3, source.Calls);

        // A user removed from the directory is refused once the hour is over.
        source.Answer = _ => RecipientStatus.Unknown;
        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(RecipientStatus.Unknown, (await cache.CheckAsync(Alice, source, default)).Status);
        Assert.Equal(4, source.Calls);
    }

    [Fact]
    public async Task A_failure_is_never_remembered()
    {
        var source = new ScriptedSource(_ => RecipientStatus.Unavailable);
        var cache = Cache();

        Assert.Equal(RecipientStatus.Unavailable, (await cache.CheckAsync(Alice, source, default)).Status);
        source.Answer = _ => RecipientStatus.Known;
        Assert.Equal(RecipientStatus.Known, (await cache.CheckAsync(Alice, source, default)).Status);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task Lookups_beyond_the_concurrency_cap_wait_and_then_answer_unavailable()
    {
        var gate = new TaskCompletionSource();
        var source = new ScriptedSource(_ => RecipientStatus.Known) { Gate = gate.Task };
        var cache = Cache(concurrency: 1);

        var first = cache.CheckAsync(Alice, source, default).AsTask();
        var second = cache.CheckAsync(Mallory, source, default).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(("too many checks at once", RecipientStatus.Unavailable), Answer(await second));

        gate.SetResult();
        Assert.Equal(RecipientStatus.Known, (await first).Status);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task The_domain_limit_is_the_policy_s_else_the_learned_EHLO_SIZE_else_none()
    {
        var cache = Cache();
        var source = new ScriptedSource(_ => RecipientStatus.Known) { Size = 10_240_000 };
        var learned = Verification(new RecipientDomainPolicy { CallAhead = new CallAheadPolicy() }, cache, source);
        Assert.Null(learned.MaxMessageSize("example.test"));

        await learned.CheckAsync(Alice, default);
        // Less what the gateway adds on the way in, so a message taken here is not refused there after our 250.
        Assert.Equal(10_240_000 - RecipientVerification.AddedFieldsAllowance, learned.MaxMessageSize("Example.TEST"));

        var configured = Verification(new RecipientDomainPolicy { CallAhead = new CallAheadPolicy(), MaxMessageSize = 5_000_000 }, cache, source);
        Assert.Equal(5_000_000, configured.MaxMessageSize("example.test"));
        Assert.Null(configured.MaxMessageSize("other.test"));
    }

    [Fact]
    public async Task Rcpt_gets_550_5_1_1_for_unknown_451_4_4_3_for_unavailable_and_postmaster_always_passes()
    {
        var source = new ScriptedSource(r => r.LocalPart switch
        {
            "alice" => RecipientStatus.Known,
            "down" => RecipientStatus.Unavailable,
            _ => RecipientStatus.Unknown,
        });
        var handler = Handler(Verification(new RecipientDomainPolicy { Ldap = Ldap }, Cache(), source));

        Assert.True((await RcptAsync(handler, Alice)).Verdict.IsContinue);
        Assert.True((await RcptAsync(handler, new Mailbox("Postmaster", "example.test"))).Verdict.IsContinue);

        var unknown = (await RcptAsync(handler, Mallory)).Verdict;
        Assert.Equal((VerdictAction.Reject, 550, "5.1.1"), (unknown.Action, unknown.Reply!.Code, unknown.Reply.EnhancedCode));

        var down = (await RcptAsync(handler, new Mailbox("down", "example.test"))).Verdict;
        Assert.Equal((VerdictAction.TempFail, 451, "4.4.3"), (down.Action, down.Reply!.Code, down.Reply.EnhancedCode));
    }

    [Fact]
    public async Task A_recipient_missing_from_the_list_is_refused_naming_the_list_file()
    {
        var list = new RecipientList("/etc/gateway/example.test.users", new HashSet<string>(["alice"], StringComparer.OrdinalIgnoreCase));
        var verification = Verification(new RecipientDomainPolicy { List = list }, null, null);

        Assert.Equal(new RecipientCheck(RecipientStatus.Known, "list"), await verification.CheckAsync(Alice, default));
        Assert.Equal(new RecipientCheck(RecipientStatus.Unknown, "list", "/etc/gateway/example.test.users"), await verification.CheckAsync(new Mailbox("mallory", "example.test"), default));
    }

    [Fact]
    public async Task A_remotely_verified_domain_without_its_lookup_is_never_accepted()
    {
        var handler = Handler(Verification(new RecipientDomainPolicy { Ldap = Ldap }, null, null));

        var verdict = (await RcptAsync(handler, Alice)).Verdict;

        Assert.Equal((VerdictAction.TempFail, 451, "4.4.3"), (verdict.Action, verdict.Reply!.Code, verdict.Reply.EnhancedCode));
    }

    [Fact]
    public async Task A_declared_SIZE_over_the_domain_limit_gets_552_5_3_4_at_rcpt()
    {
        var source = new ScriptedSource(_ => RecipientStatus.Known) { Size = 10_240_000 };
        var handler = Handler(Verification(new RecipientDomainPolicy { CallAhead = new CallAheadPolicy() }, Cache(), source));

        // The limit is learned by the check of this very RCPT.
        await handler.OnMailFromAsync(Facts, null, new MailParameters { Size = 20_000_000 }, default);
        var refused = (await handler.OnRecipientAsync(Facts, null, Alice, RecipientParameters.None, default)).Verdict;
        Assert.Equal((VerdictAction.Reject, 552, "5.3.4"), (refused.Action, refused.Reply!.Code, refused.Reply.EnhancedCode));

        await handler.OnMailFromAsync(Facts, null, new MailParameters { Size = 10_000_000 }, default);
        Assert.True((await handler.OnRecipientAsync(Facts, null, Alice, RecipientParameters.None, default)).Verdict.IsContinue);

        // Exactly the internal server's SIZE is too much once our trace and result fields are added.
        await handler.OnMailFromAsync(Facts, null, new MailParameters { Size = 10_240_000 }, default);
        Assert.Equal(552, (await handler.OnRecipientAsync(Facts, null, Alice, RecipientParameters.None, default)).Verdict.Reply!.Code);
        await handler.OnMailFromAsync(Facts, null, new MailParameters { Size = 10_240_000 - RecipientVerification.AddedFieldsAllowance }, default);
        Assert.True((await handler.OnRecipientAsync(Facts, null, Alice, RecipientParameters.None, default)).Verdict.IsContinue);

        // Recipients elsewhere are not held to this domain's limit.
        await handler.OnMailFromAsync(Facts, null, new MailParameters { Size = 20_000_000 }, default);
        Assert.True((await handler.OnRecipientAsync(Facts, null, new Mailbox("u", "other.test"), RecipientParameters.None, default)).Verdict.IsContinue);
    }

    [Fact]
    public async Task A_message_over_the_domain_limit_gets_552_5_3_4_at_the_end_of_data_and_nothing_is_kept()
    {
        var acceptor = new WriterAcceptor();
        var verification = Verification(new RecipientDomainPolicy { MaxMessageSize = 2048 }, null, null);
        var handler = Handler(verification, acceptor);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = Facts,
            From = null,
            MailParameters = MailParameters.None,
            Recipients =
            [
                new EnvelopeRecipient(Alice, RecipientParameters.None, MailDirection.Inbound),
                new EnvelopeRecipient(new Mailbox("u", "other.test"), RecipientParameters.None, MailDirection.Inbound),
            ],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };

        var (_, writer) = await handler.OnMessageStartAsync(envelope, default);
        await writer!.WriteAsync(Encoding.ASCII.GetBytes("Subject: big\r\n\r\n"), default);
        await writer.WriteAsync(Encoding.ASCII.GetBytes(new string('x', 3000) + "\r\n"), default);
        var reply = await writer.CompleteAsync(default);

        Assert.Equal((552, "5.3.4"), (reply.Code, reply.EnhancedCode));
        Assert.Contains("example.test", reply.ToString(), StringComparison.Ordinal);
        Assert.Equal(reply, acceptor.Writer.Refused);

        // The refusal names the size the client sent, though only the part below the limit reached the spool.
        Assert.Equal(16 + 3002, acceptor.Writer.RefusedLength);
        Assert.Null(acceptor.Writer.Amendment);
    }

    private static readonly LdapPolicy Ldap = new() { Servers = [new Uri("ldap://127.0.0.1:9/")], BaseDn = "dc=example,dc=test" };

    private static readonly SessionFacts Facts = new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
    };

    private static (string? Detail, RecipientStatus Status) Answer(RecipientCheck check) => (check.Detail, check.Status);

    private static GatewayPolicy Policy(RecipientDomainPolicy domain) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test", "other.test"],
        Recipients = new RecipientsPolicy { Domains = new Dictionary<string, RecipientDomainPolicy>(StringComparer.Ordinal) { ["example.test"] = domain } },
    };

    private static RecipientVerification Verification(RecipientDomainPolicy domain, RecipientCache? cache, IRecipientSource? source) =>
        new(
            Policy(domain).Recipients,
            cache is null || source is null ? null : new Dictionary<string, RecipientLookup>(StringComparer.Ordinal) { ["example.test"] = new(cache, source) });

    private static PolicySessionHandler Handler(RecipientVerification verification, IMessageAcceptor? acceptor = null)
    {
        var policy = Policy(new RecipientDomainPolicy()) with { Recipients = new RecipientsPolicy() };
        return new(new MessagePipeline(policy, null, NullLogger.Instance, recipients: verification), acceptor ?? new WriterAcceptor(), NullLogger.Instance);
    }

    private static async Task<RecipientDecision> RcptAsync(PolicySessionHandler handler, Mailbox recipient)
    {
        await handler.OnMailFromAsync(Facts, null, MailParameters.None, default);
        return await handler.OnRecipientAsync(Facts, null, recipient, RecipientParameters.None, default);
    }

    /// <summary>A source answering by a rule, counting its lookups; with a gate, each lookup waits for it.</summary>
    private sealed class ScriptedSource(Func<Mailbox, RecipientStatus> answer) : IRecipientSource
    {
        private int _calls;

        public Func<Mailbox, RecipientStatus> Answer { get; set; } = answer;

        public Task? Gate { get; init; }

        public long? Size { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "scripted";

        public async ValueTask<RecipientCheck> LookupAsync(Mailbox recipient, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Gate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }

            return new RecipientCheck(Answer(recipient), Name, null, Size);
        }
    }
}
