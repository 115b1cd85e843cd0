using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.PublicSuffix;
using Gateway.Dns;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Gateway.Spam.Reputation;
using Gateway.Testing.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>
/// DNS lists and client checks as spam score inputs, through the session handler as the SMTP session calls it:
/// lookups start at CONNECT, HELO and MAIL FROM, the spam step adds their points and names them in X-Spam-Status,
/// and reject_score refuses at RCPT. DNS comes from in-memory zones.
/// </summary>
public sealed class ClientReputationTests
{
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.LoadEmbedded();
    private static readonly Mailbox Bob = new("bob", "example.test");

    private static SpamPolicy Lists(double rejectScore = 0, ClientCheckScores? checks = null) => new()
    {
        Enabled = true,
        Default = new SpamDomainPolicy { Threshold = 5, Action = SpamAction.Tag },
        AddressLists =
        [
            new DnsListPolicy { Name = "DNSBL_zen.example.test", Zone = "zen.example.test", Weight = 3, Codes = [IPAddress.Parse("127.0.0.2")] },
            new DnsListPolicy { Name = "DNSWL_wl.example.test", Zone = "wl.example.test", Weight = -2 },
        ],
        DomainLists = [new DnsListPolicy { Name = "RHSBL_dbl.example.test", Zone = "dbl.example.test", Weight = 2.5 }],
        UriLists = [new DnsListPolicy { Name = "URIBL_uri.example.test", Zone = "uri.example.test", Weight = 1.5, Mask = 0x02 }],
        ClientChecks = checks ?? new ClientCheckScores { NoFcrdns = 1, HeloInvalid = 1.5, HeloIsOurs = 3, HeloLiteralMismatch = 1 },
        RejectScore = rejectScore,
    };

    private static GatewayPolicy Policy(SpamPolicy spam) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test"],
        TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        Spam = spam,
    };

    private static InMemoryDnsResolver Zones() => new InMemoryDnsResolver()
        .AddA("7.113.0.203.zen.example.test", "127.0.0.2")
        .AddA("8.113.0.203.zen.example.test", "127.0.0.10")
        .AddA("9.113.0.203.wl.example.test", "127.0.9.1")
        .AddA("spammer.test.dbl.example.test", "127.0.1.2")
        .AddA("bad-links.test.uri.example.test", "127.0.0.2")
        .AddA("other-list.test.uri.example.test", "127.0.0.4")
        .AddPtr(IPAddress.Parse("203.0.113.9"), "mail.friend.test")
        .AddA("mail.friend.test", "203.0.113.9");

    private static (PolicySessionHandler Handler, WriterAcceptor Acceptor) Handler(GatewayPolicy policy, IDnsResolver dns, ILogger logger)
    {
        var reputation = new ReputationChecks(policy, new DnsListClient(dns, TimeProvider.System), new ReverseDnsCheck(dns, TimeProvider.System), Suffixes);
        var spam = new SpamServices(policy.Spam, null) { Reputation = reputation };
        var acceptor = new WriterAcceptor();
        return (new PolicySessionHandler(new MessagePipeline(policy, null, logger, spam: spam), acceptor, logger), acceptor);
    }

    private static SessionFacts Facts(string client, string helo, string? user = null) => new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse(client), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.25"), 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        HeloName = helo,
        AuthenticatedUser = user,
    };

    /// <summary>The whole dialogue: CONNECT, HELO, MAIL, RCPT, DATA; the RCPT refusal or the reply to the data.</summary>
    private static async Task<SmtpReply> DialogueAsync(PolicySessionHandler handler, SessionFacts facts, Mailbox? from, string body, Mailbox? to = null)
    {
        var recipient = to ?? Bob;
        Assert.True((await handler.OnConnectAsync(facts with { HeloName = null }, default)).IsContinue);
        Assert.True((await handler.OnHeloAsync(facts, default)).IsContinue);
        Assert.True((await handler.OnMailFromAsync(facts, from, MailParameters.None, default)).IsContinue);
        var rcpt = await handler.OnRecipientAsync(facts, from, recipient, RecipientParameters.None, default);
        if (!rcpt.Verdict.IsContinue)
        {
            return rcpt.Verdict.Reply!;
        }

        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = [new EnvelopeRecipient(recipient, RecipientParameters.None, rcpt.Direction)],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(verdict.IsContinue);
        await writer!.WriteAsync(Encoding.UTF8.GetBytes("From: a@spammer.test\r\nSubject: offer\r\n\r\n" + body + "\r\n"), default);
        return await writer.CompleteAsync(default);
    }

    private static string Status(WriterAcceptor acceptor) =>
        acceptor.Writer.Added.Split("\r\n").Single(l => l.StartsWith("X-Spam-Status:", StringComparison.Ordinal));

    [Fact]
    public async Task Every_hit_adds_its_points_and_is_named_in_x_spam_status()
    {
        var logger = new ListLogger();
        var (handler, acceptor) = Handler(Policy(Lists()), Zones(), logger);

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "localhost"), new Mailbox("a", "x1.spammer.test"),
            "See https://www.bad-links.test/offer and http://other-list.test/ and http://clean.test/");

        Assert.Equal(250, reply.Code);
        var status = Status(acceptor);

        // 3 (zen 127.0.0.2) + 2.5 (registrable domain of the sender) + 1.5 (link domain, mask bit 2) + 1 (no PTR)
        // + 1.5 (single-label HELO); other-list.test answers 127.0.0.4, outside the mask.
        Assert.StartsWith("X-Spam-Status: Yes, score=9.5 required=5.0", status, StringComparison.Ordinal);
        foreach (var name in (string[])["DNSBL_zen.example.test", "RHSBL_dbl.example.test", "URIBL_uri.example.test", "NO_FCRDNS", "HELO_INVALID"])
        {
            Assert.Contains(name, status, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("DNSWL", status, StringComparison.Ordinal);
        var hits = logger.Entries.Where(e => e.EventId == 3110).Select(e => e.Message).ToList();
        Assert.Contains(hits, m => m.Contains("203.0.113.7 listed in zen.example.test (127.0.0.2)", StringComparison.Ordinal));
        Assert.Contains(hits, m => m.Contains("spammer.test listed in dbl.example.test", StringComparison.Ordinal));
        Assert.All(logger.Entries.Where(e => e.EventId == 3110), e => Assert.Equal(LogLevel.Information, e.Level));
    }

    [Fact]
    public async Task Lookups_start_as_the_dialogue_gives_their_inputs_so_they_overlap_it()
    {
        var dns = Zones();
        var (handler, _) = Handler(Policy(Lists()), dns, new ListLogger());
        var facts = Facts("2001:db8::7", "helo.spammer.test");

        await handler.OnConnectAsync(facts with { HeloName = null }, default);
        Assert.Equal(1, dns.QueryCount("7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example.test"));
        Assert.Equal(1, dns.QueryCount("7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"));
        Assert.Equal(0, dns.QueryCount("spammer.test.dbl.example.test"));

        await handler.OnHeloAsync(facts, default);
        Assert.Equal(1, dns.QueryCount("helo.spammer.test.dbl.example.test"));
        Assert.Equal(1, dns.QueryCount("spammer.test.dbl.example.test"));

        await handler.OnMailFromAsync(facts, new Mailbox("a", "friend.test"), MailParameters.None, default);
        Assert.Equal(1, dns.QueryCount("friend.test.dbl.example.test"));
    }

    [Fact]
    public async Task On_a_listener_that_requires_auth_no_lookup_starts_at_connect_or_helo()
    {
        var dns = Zones();
        var (_, acceptor) = Handler(Policy(Lists()), dns, new ListLogger());
        var reputation = new ReputationChecks(Policy(Lists()), new DnsListClient(dns, TimeProvider.System), new ReverseDnsCheck(dns, TimeProvider.System), Suffixes);
        var handler = new PolicySessionHandler(
            new MessagePipeline(Policy(Lists()), null, new ListLogger(), spam: new SpamServices(Policy(Lists()).Spam, null) { Reputation = reputation }),
            acceptor,
            new ListLogger())
        {
            AuthRequired = true,
        };
        var facts = Facts("203.0.113.7", "helo.spammer.test");

        await handler.OnConnectAsync(facts with { HeloName = null }, default);
        await handler.OnHeloAsync(facts, default);
        // The session admits MAIL only after AUTH: the transaction is the authenticated user's.
        await handler.OnMailFromAsync(facts with { AuthenticatedUser = "alice" }, new Mailbox("alice", "example.test"), MailParameters.None, default);

        Assert.Equal(0, dns.QueryCount("7.113.0.203.zen.example.test"));
        Assert.Equal(0, dns.QueryCount("7.113.0.203.in-addr.arpa"));
        Assert.Equal(0, dns.QueryCount("helo.spammer.test.dbl.example.test"));

        // The same client on a listener without require_auth is looked up at connect.
        var (open, _) = Handler(Policy(Lists()), dns, new ListLogger());
        await open.OnConnectAsync(facts with { HeloName = null }, default);
        Assert.Equal(1, dns.QueryCount("7.113.0.203.zen.example.test"));
    }

    [Fact]
    public async Task An_allow_list_subtracts_and_a_confirmed_client_with_a_good_greeting_scores_nothing_else()
    {
        var (handler, acceptor) = Handler(Policy(Lists()), Zones(), new ListLogger());

        var reply = await DialogueAsync(handler, Facts("203.0.113.9", "mail.friend.test"), new Mailbox("a", "friend.test"), "Hello.");

        Assert.Equal(250, reply.Code);
        Assert.StartsWith("X-Spam-Status: No, score=-2.0 required=5.0 tests=DNSWL_wl.example.test", Status(acceptor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_the_entry_does_not_count_is_no_listing()
    {
        var (handler, acceptor) = Handler(Policy(Lists()), Zones(), new ListLogger());

        await DialogueAsync(handler, Facts("203.0.113.8", "mail.friend.test"), new Mailbox("a", "friend.test"), "Hello.");

        Assert.DoesNotContain("DNSBL", Status(acceptor), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mx.example.test", "HELO_IS_OURS")]
    [InlineData("[192.0.2.25]", "HELO_IS_OURS")]
    [InlineData("[198.51.100.1]", "HELO_LITERAL_MISMATCH")]
    public async Task A_greeting_that_claims_to_be_us_or_someone_else_scores(string helo, string reason)
    {
        var (handler, acceptor) = Handler(Policy(Lists()), Zones(), new ListLogger());

        await DialogueAsync(handler, Facts("203.0.113.9", helo), new Mailbox("a", "friend.test"), "Hello.");

        Assert.Contains(reason, Status(acceptor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_pipelined_before_the_offer_scores_pipelining_early()
    {
        var logger = new ListLogger();
        var (handler, acceptor) = Handler(Policy(Lists(checks: new ClientCheckScores { Pipelining = 2 })), Zones(), logger);

        var reply = await DialogueAsync(handler, Facts("203.0.113.8", "mail.friend.test") with { PipelinedWithoutOffer = true }, new Mailbox("a", "friend.test"), "Hello.");

        Assert.Equal(250, reply.Code);
        Assert.StartsWith("X-Spam-Status: No, score=2.0 required=5.0 tests=PIPELINING_EARLY", Status(acceptor), StringComparison.Ordinal);
        Assert.Single(logger.Entries, e => e.EventId == 3113 && e.Message.Contains("PIPELINING_EARLY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipelining_seen_only_after_mail_from_still_counts_for_the_message()
    {
        // After HELO the finding shows at a later command, so the facts at the message start carry it first.
        var (handler, acceptor) = Handler(Policy(Lists(checks: new ClientCheckScores { Pipelining = 2 })), Zones(), new ListLogger());
        var facts = Facts("203.0.113.8", "mail.friend.test");
        await handler.OnConnectAsync(facts with { HeloName = null }, default);
        await handler.OnHeloAsync(facts, default);
        await handler.OnMailFromAsync(facts, Bob, MailParameters.None, default);
        var rcpt = await handler.OnRecipientAsync(facts, Bob, Bob, RecipientParameters.None, default);
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts with { PipelinedWithoutOffer = true },
            From = Bob,
            MailParameters = MailParameters.None,
            Recipients = [new EnvelopeRecipient(Bob, RecipientParameters.None, rcpt.Direction)],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (_, writer) = await handler.OnMessageStartAsync(envelope, default);
        await writer!.WriteAsync(Encoding.UTF8.GetBytes("Subject: hi\r\n\r\nHello.\r\n"), default);
        await writer.CompleteAsync(default);

        Assert.Contains("tests=PIPELINING_EARLY", Status(acceptor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_waited_for_the_replies_does_not_score_pipelining()
    {
        var (handler, acceptor) = Handler(Policy(Lists(checks: new ClientCheckScores { Pipelining = 2 })), Zones(), new ListLogger());

        await DialogueAsync(handler, Facts("203.0.113.8", "mail.friend.test"), new Mailbox("a", "friend.test"), "Hello.");

        Assert.DoesNotContain("PIPELINING_EARLY", Status(acceptor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zone_that_fails_is_skipped_with_a_warning_and_the_message_is_still_accepted()
    {
        var dns = Zones().SetStatus("7.113.0.203.zen.example.test", DnsStatus.Timeout).SetStatus("spammer.test.dbl.example.test", DnsStatus.ServerFailure);
        var logger = new ListLogger();
        var (handler, acceptor) = Handler(Policy(Lists(checks: new ClientCheckScores())), dns, logger);

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "mail.friend.test"), new Mailbox("a", "spammer.test"), "Hello.");

        Assert.Equal(250, reply.Code);
        Assert.Contains("tests=none", Status(acceptor), StringComparison.Ordinal);
        var warnings = logger.Entries.Where(e => e.EventId == 3111).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains(warnings, w => w.Message.Contains("zen.example.test skipped", StringComparison.Ordinal) && w.Message.Contains("Timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task At_reject_score_the_recipient_is_refused_at_rcpt_naming_the_zones()
    {
        var logger = new ListLogger();
        var (handler, acceptor) = Handler(Policy(Lists(rejectScore: 5)), Zones(), logger);

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "mail.friend.test"), new Mailbox("a", "spammer.test"), "Hello.");

        Assert.Equal(554, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Contains("[203.0.113.7] blocked using zen.example.test, dbl.example.test", reply.Lines[0], StringComparison.Ordinal);
        Assert.Empty(acceptor.Parts);
        Assert.Contains(logger.Entries, e => e.EventId == 3115 && e.Message.Contains("score 6.5", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("postmaster")]
    [InlineData("PostMaster")]
    public async Task Postmaster_is_not_refused_before_data_so_a_listed_sender_can_ask_to_be_let_in(string localPart)
    {
        // RFC 5321 4.5.1: every reasonable effort to accept mail for postmaster; a DNS list is no attack to contain.
        var logger = new ListLogger();
        var (handler, acceptor) = Handler(Policy(Lists(rejectScore: 5)), Zones(), logger);

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "mail.friend.test"), new Mailbox("a", "spammer.test"), "Hello.", new Mailbox(localPart, "example.test"));

        Assert.Equal(250, reply.Code);
        Assert.Single(acceptor.Parts);
        Assert.Contains("DNSBL_zen.example.test", Status(acceptor), StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Entries, e => e.EventId == 3115);
    }

    [Fact]
    public async Task Below_reject_score_the_inputs_only_add_to_the_score()
    {
        var (handler, acceptor) = Handler(Policy(Lists(rejectScore: 10)), Zones(), new ListLogger());

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "mail.friend.test"), new Mailbox("a", "spammer.test"), "Hello.");

        Assert.Equal(250, reply.Code);
        Assert.Contains("DNSBL_zen.example.test", Status(acceptor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_client_is_never_looked_up()
    {
        var dns = Zones();
        var (handler, _) = Handler(Policy(Lists(rejectScore: 1)), dns, new ListLogger());

        var reply = await DialogueAsync(handler, Facts("10.1.2.3", "localhost"), new Mailbox("a", "spammer.test"), "http://bad-links.test/");

        Assert.Equal(250, reply.Code);
        Assert.Equal(0, dns.QueryCount("3.2.1.10.zen.example.test"));
        Assert.Equal(0, dns.QueryCount("spammer.test.dbl.example.test"));
        Assert.Equal(0, dns.QueryCount("bad-links.test.uri.example.test"));
    }

    [Fact]
    public async Task An_authenticated_client_gets_no_list_points_and_no_domain_or_uri_lookups()
    {
        var dns = Zones();
        // Without relay rights its mail is judged like anonymous mail (the spam step runs), but not looked up.
        var policy = Policy(Lists(rejectScore: 1)) with { Auth = new AuthPolicy { AllowRelay = false } };
        var (handler, acceptor) = Handler(policy, dns, new ListLogger());

        var reply = await DialogueAsync(handler, Facts("203.0.113.7", "localhost", user: "a@spammer.test"), new Mailbox("a", "spammer.test"), "http://bad-links.test/");

        Assert.Equal(250, reply.Code);
        Assert.Equal(0, dns.QueryCount("spammer.test.dbl.example.test"));
        Assert.Equal(0, dns.QueryCount("bad-links.test.uri.example.test"));
        Assert.Contains("tests=none", Status(acceptor), StringComparison.Ordinal);
    }
}
