using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;
using Gateway.Dns;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Pipeline.Tests.Flow;

/// <summary>
/// What the session answers once a message's content has been checked: DMARC enforcement, its overrides, the
/// temperror choice, RFC 7489 6.6.1 From problems, SPF at MAIL FROM, the Authentication-Results field and the
/// removal of forged ones. DNS comes from in-memory zones.
/// </summary>
public sealed class MessageChecksTests
{
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.LoadEmbedded();

    internal static GatewayPolicy Policy(AuthenticationPolicy? authentication = null) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test"],
        TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        Authentication = authentication ?? new AuthenticationPolicy { AuthservId = "mx.example.test" },
    };

    internal static InMemoryDnsResolver Zones() => new InMemoryDnsResolver()
        .AddTxt("strict.test", "v=spf1 ip4:192.0.2.1 -all")
        .AddTxt("_dmarc.strict.test", "v=DMARC1; p=reject")
        .AddTxt("careful.test", "v=spf1 -all")
        .AddTxt("_dmarc.careful.test", "v=DMARC1; p=quarantine")
        .AddTxt("relaxed.test", "v=spf1 ip4:203.0.113.9 -all")
        .AddTxt("_dmarc.relaxed.test", "v=DMARC1; p=reject");

    internal static SenderAuthentication Services(
        GatewayPolicy policy, IDnsResolver dns, IReadOnlyList<DkimSigningKey>? signingKeys = null, DkimSigningKey? sealKey = null, DmarcReportStore? reports = null) => new()
        {
            Reports = reports,
            SigningKeys = signingKeys ?? [],
            SealKey = sealKey,
            Policy = policy.Authentication,
            AuthservId = "mx.example.test",
            Spf = new SpfVerifier(dns),
            Dkim = new DkimVerifierService(dns, DkimVerifyOptions.Default, TimeProvider.System),
            Arc = new ArcVerifierService(dns, DkimVerifyOptions.Default),
            Dmarc = new DmarcEvaluator(dns, Suffixes),
            Signer = new DkimSigningService(TimeProvider.System),
            Sealer = new ArcSealingService(TimeProvider.System),
            Time = TimeProvider.System,
        };

    internal static SessionFacts Facts(string client) => new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse(client), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        HeloName = "client.example.org",
    };

    /// <summary>MAIL FROM, then the message to one recipient, as the session would call the handler.</summary>
    internal static async Task<SmtpReply> SendAsync(PolicySessionHandler handler, SessionFacts facts, Mailbox from, EnvelopeRecipient recipient, string message)
    {
        var mail = await handler.OnMailFromAsync(facts, from, MailParameters.None, default);
        if (!mail.IsContinue)
        {
            return mail.Reply!;
        }

        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = [recipient],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(verdict.IsContinue);
        await writer!.WriteAsync(Encoding.UTF8.GetBytes(message), default);
        return await writer.CompleteAsync(default);
    }

    internal static PolicySessionHandler Handler(GatewayPolicy policy, IMessageAcceptor acceptor, SenderAuthentication? services) =>
        new(new MessagePipeline(policy, services, NullLogger.Instance), acceptor, NullLogger.Instance);

    private static async Task<(SmtpReply Reply, MemoryMessageWriter Writer)> RunAsync(
        GatewayPolicy policy, IDnsResolver dns, string client, string mailFrom, string message, DmarcReportStore? reports = null, bool inMemory = true)
    {
        var acceptor = new WriterAcceptor(inMemory);
        var handler = Handler(policy, acceptor, Services(policy, dns, reports: reports));
        var at = mailFrom.IndexOf('@', StringComparison.Ordinal);
        var from = new Mailbox(mailFrom[..at], mailFrom[(at + 1)..]);
        var inbound = new EnvelopeRecipient(new Mailbox("bob", "example.test"), RecipientParameters.None, MailDirection.Inbound);
        return (await SendAsync(handler, Facts(client), from, inbound, message), acceptor.Writer);
    }

    private static string Amended(MemoryMessageWriter writer) => writer.Added;

    [Fact]
    public async Task Spf_aligned_mail_passes_with_one_authentication_results_field()
    {
        var (reply, writer) = await RunAsync(Policy(), Zones(), "192.0.2.1", "ceo@strict.test",
            "From: ceo@strict.test\r\nSubject: hi\r\n\r\nbody\r\n");

        Assert.Equal(250, reply.Code);
        var field = Amended(writer);
        Assert.StartsWith("Authentication-Results: mx.example.test;", field, StringComparison.Ordinal);
        Assert.Contains("spf=pass", field, StringComparison.Ordinal);
        Assert.Contains("dkim=none", field, StringComparison.Ordinal);
        Assert.Contains("dmarc=pass", field, StringComparison.Ordinal);
        Assert.Null(writer.Amendment!.Quarantine);
    }

    [Fact]
    public async Task A_p_reject_failure_is_550_5_7_1_and_nothing_is_queued()
    {
        var (reply, writer) = await RunAsync(Policy(), Zones(), "198.51.100.7", "ceo@strict.test",
            "From: ceo@strict.test\r\nSubject: wire money\r\n\r\nnow\r\n");

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Null(writer.Amendment);
        Assert.True(writer.Disposed);
    }

    [Fact]
    public async Task Without_enforcement_a_failure_is_only_reported()
    {
        var policy = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Dmarc = new Gateway.Policy.DmarcPolicy { Enforce = false } });

        var (reply, writer) = await RunAsync(policy, Zones(), "198.51.100.7", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");

        Assert.Equal(250, reply.Code);
        Assert.Contains("dmarc=fail", Amended(writer), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DmarcQuarantineAction.Hold, true)]
    [InlineData(DmarcQuarantineAction.Deliver, false)]
    public async Task A_p_quarantine_failure_is_held_or_delivered_as_the_policy_says(DmarcQuarantineAction action, bool held)
    {
        var policy = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Dmarc = new Gateway.Policy.DmarcPolicy { Quarantine = action } });

        var (reply, writer) = await RunAsync(policy, Zones(), "198.51.100.7", "news@careful.test", "From: news@careful.test\r\n\r\nx\r\n");

        Assert.Equal(250, reply.Code);
        Assert.Equal(held, writer.Amendment!.Quarantine is not null);
        if (held)
        {
            Assert.Equal("dmarc", writer.Amendment.Quarantine!.Source);
            Assert.Equal("dmarc=fail policy.from=careful.test p=quarantine", writer.Amendment.Quarantine.Reason);
        }
    }

    [Theory]
    [InlineData("From: a@strict.test\r\nFrom: b@relaxed.test\r\n\r\nx\r\n")]
    [InlineData("From: a@strict.test, b@relaxed.test\r\n\r\nx\r\n")]
    [InlineData("Subject: no author\r\n\r\nx\r\n")]
    [InlineData("From: undisclosed:;\r\n\r\nx\r\n")]
    public async Task Zero_or_several_authors_never_pass_and_are_refused(string message)
    {
        var (reply, writer) = await RunAsync(Policy(), Zones(), "203.0.113.9", "list@relaxed.test", message);

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Null(writer.Amendment);
    }

    [Fact]
    public async Task A_dns_failure_during_dmarc_is_451_by_default_and_accepted_when_the_policy_says_so()
    {
        var dns = Zones();
        dns.SetStatus("_dmarc.strict.test", DnsStatus.ServerFailure);

        var (reply, _) = await RunAsync(Policy(), dns, "192.0.2.1", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");
        Assert.Equal(451, reply.Code);
        Assert.Equal("4.7.1", reply.EnhancedCode);

        var accepting = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Dmarc = new Gateway.Policy.DmarcPolicy { TempError = DmarcTempErrorAction.Accept } });
        var (accepted, writer) = await RunAsync(accepting, dns, "192.0.2.1", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");
        Assert.Equal(250, accepted.Code);
        Assert.Contains("dmarc=temperror", Amended(writer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluations_are_recorded_for_reports_except_those_answered_451_which_come_back()
    {
        var directory = Directory.CreateTempSubdirectory("gw-dmarc-records").FullName;
        try
        {
            await using var reports = new DmarcReportStore(new DmarcReportStoreOptions { Directory = directory });
            var dns = Zones()
                .AddTxt("reported.test", "v=spf1 ip4:192.0.2.1 -all")
                .AddTxt("_dmarc.reported.test", "v=DMARC1; p=reject; rua=mailto:agg@reported.test");
            const string message = "From: ceo@reported.test\r\n\r\nx\r\n";
            Assert.Equal(250, (await RunAsync(Policy(), dns, "192.0.2.1", "ceo@reported.test", message, reports)).Reply.Code);
            Assert.Equal(550, (await RunAsync(Policy(), dns, "203.0.113.9", "ceo@reported.test", message, reports)).Reply.Code);
            dns.SetStatus("_dmarc.reported.test", DnsStatus.ServerFailure);
            Assert.Equal(451, (await RunAsync(Policy(), dns, "192.0.2.1", "ceo@reported.test", message, reports)).Reply.Code);

            var recorded = new List<DmarcReportRecord>();
            await foreach (var record in reports.ReadAsync(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None))
            {
                recorded.Add(record);
            }

            Assert.Equal([("192.0.2.1", true), ("203.0.113.9", false)], recorded.Select(r => (r.SourceIp, r.SpfAligned)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Exceptions_and_trusted_forwarders_override_a_reject()
    {
        var excepted = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Dmarc = new Gateway.Policy.DmarcPolicy { Exceptions = ["strict.test"] } });
        Assert.Equal(250, (await RunAsync(excepted, Zones(), "198.51.100.7", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n")).Reply.Code);

        var forwarder = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Dmarc = new Gateway.Policy.DmarcPolicy { TrustedForwarders = [IPNetwork.Parse("198.51.100.0/24")] } });
        Assert.Equal(250, (await RunAsync(forwarder, Zones(), "198.51.100.7", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n")).Reply.Code);
        Assert.Equal(550, (await RunAsync(forwarder, Zones(), "198.18.0.1", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n")).Reply.Code);
    }

    [Fact]
    public async Task Fields_claiming_our_authserv_id_are_removed_and_others_kept()
    {
        const string message =
            "Authentication-Results: mx.example.test; dmarc=pass\r\n" +
            "Authentication-Results: mx.example.test.evil; dmarc=pass\r\n" +
            "From: ceo@strict.test\r\n" +
            "Authentication-Results: (comment) MX.EXAMPLE.TEST;\r\n\tspf=pass\r\n" +
            "\r\nbody\r\n";

        var (reply, writer) = await RunAsync(Policy(), Zones(), "192.0.2.1", "ceo@strict.test", message);

        Assert.Equal(250, reply.Code);
        var delivered = writer.Delivered;
        var ours = writer.Added;
        Assert.Equal(ours + "Authentication-Results: mx.example.test.evil; dmarc=pass\r\nFrom: ceo@strict.test\r\n\r\nbody\r\n", delivered);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(delivered, "Authentication-Results: mx\\.example\\.test;"));
    }

    [Fact]
    public async Task Spf_fail_is_refused_at_mail_from_only_when_the_policy_asks()
    {
        var strict = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Spf = new SpfPolicy { RejectFail = true } });

        var (reply, _) = await RunAsync(strict, Zones(), "198.51.100.7", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.23", reply.EnhancedCode);

        // By default the same SPF fail is left to DMARC, which refuses at the end of DATA with 5.7.1.
        var (later, _) = await RunAsync(Policy(), Zones(), "198.51.100.7", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");
        Assert.Equal("5.7.1", later.EnhancedCode);
    }

    [Fact]
    public async Task Mail_from_a_trusted_client_is_neither_judged_nor_signed_without_keys()
    {
        var (reply, writer) = await RunAsync(Policy(), Zones(), "10.1.2.3", "ceo@strict.test", "From: ceo@strict.test\r\n\r\nx\r\n");

        Assert.Equal(250, reply.Code);
        Assert.StartsWith("Received: from client.example.org ([10.1.2.3])", writer.Added, StringComparison.Ordinal);
        Assert.DoesNotContain("Authentication-Results", writer.Added, StringComparison.Ordinal);
        Assert.DoesNotContain("DKIM-Signature", writer.Added, StringComparison.Ordinal);
        Assert.Equal(0, writer.Amendment!.ReplacedLength);
    }

    [Fact]
    public async Task Mail_from_a_trusted_client_is_signed_with_the_key_of_its_author_domain()
    {
        var policy = Policy();
        using var key = DkimSigningKey.FromPem("example.test", "s1", DkimKeyGenerator.GenerateEd25519().PrivateKeyPem);
        var acceptor = new WriterAcceptor();
        var handler = Handler(policy, acceptor, Services(policy, Zones(), signingKeys: [key]));
        var outbound = new EnvelopeRecipient(new Mailbox("friend", "remote.test"), RecipientParameters.None, MailDirection.Outbound);

        var reply = await SendAsync(handler, Facts("10.1.2.3"), new Mailbox("staff", "example.test"), outbound,
            "From: Staff <staff@sales.example.test>\r\nSubject: offer\r\n\r\nbody\r\n");

        Assert.Equal(250, reply.Code);
        var signature = Amended(acceptor.Writer);
        Assert.StartsWith("DKIM-Signature: v=1; a=ed25519-sha256;", signature, StringComparison.Ordinal);
        Assert.Contains("d=example.test", signature, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_arc_chain_from_a_trusted_sealer_that_saw_dmarc_pass_overrides_a_reject()
    {
        using var sealerKey = DkimSigningKey.FromPem("lists.example", "arc", TestSealerKey.Value.PrivateKeyPem);
        var original = "From: ceo@strict.test\r\nTo: list@lists.example\r\nSubject: via the list\r\nMessage-ID: <l1@strict.test>\r\n\r\nbody\r\n";
        var sealed_ = new ArcSealingService(TimeProvider.System).Seal(
            Encoding.ASCII.GetBytes(original), ArcChainResult.NoChain, "lists.example", "spf=pass smtp.mailfrom=strict.test; dmarc=pass header.from=strict.test", sealerKey);
        Assert.NotNull(sealed_.Headers);
        var relayed = sealed_.Headers + original;
        var dns = Zones().AddTxt("arc._domainkey.lists.example", TestSealerKey.Value.DnsTxtRecord);

        // The list (198.51.100.7) is not in strict.test's SPF record: DMARC fails on our side.
        var untrusted = await RunAsync(Policy(), dns, "198.51.100.7", "bounces@lists.example", relayed);
        Assert.Equal(550, untrusted.Reply.Code);

        var trusting = Policy(new AuthenticationPolicy { AuthservId = "mx.example.test", Arc = new ArcPolicy { TrustedSealers = ["lists.example"] } });
        var (reply, writer) = await RunAsync(trusting, dns, "198.51.100.7", "bounces@lists.example", relayed);
        Assert.Equal(250, reply.Code);
        var field = Amended(writer);
        Assert.Contains("arc=pass", field, StringComparison.Ordinal);
        Assert.Contains("dmarc=fail", field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sealing_adds_an_arc_set_that_verifies_and_names_our_authserv_id_once()
    {
        var policy = Policy();
        using var sealKey = DkimSigningKey.FromPem("example.test", "arc", TestSealerKey.Value.PrivateKeyPem);
        var dns = Zones().AddTxt("arc._domainkey.example.test", TestSealerKey.Value.DnsTxtRecord);
        var acceptor = new WriterAcceptor();
        var handler = Handler(policy, acceptor, Services(policy, dns, sealKey: sealKey));
        const string message = "From: ceo@strict.test\r\nSubject: sealed\r\nMessage-ID: <s1@strict.test>\r\n\r\nbody\r\n";
        var inbound = new EnvelopeRecipient(new Mailbox("bob", "example.test"), RecipientParameters.None, MailDirection.Inbound);

        Assert.Equal(250, (await SendAsync(handler, Facts("192.0.2.1"), new Mailbox("ceo", "strict.test"), inbound, message)).Code);

        var prepended = Amended(acceptor.Writer);
        Assert.StartsWith("ARC-Seal: i=1;", prepended, StringComparison.Ordinal);
        var aar = prepended.Split("ARC-Authentication-Results:")[1].Split("Authentication-Results:")[0];
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(aar, "mx\\.example\\.test"));
        var delivered = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(acceptor.Writer.Delivered)));
        var chain = await new ArcVerifierService(dns, DkimVerifyOptions.Default).VerifyAsync(delivered, default);
        Assert.Equal(ArcResult.Pass, chain.Result);
        Assert.Equal(1, chain.Instances);
    }

    private static readonly Lazy<DkimGeneratedKey> TestSealerKey = new(() => DkimKeyGenerator.GenerateRsa(2048));

    [Fact]
    public async Task The_client_message_id_reaches_the_spool_for_the_trace_whether_the_message_is_queued_or_refused()
    {
        var (queued, kept) = await RunAsync(Policy(), Zones(), "203.0.113.9", "list@relaxed.test",
            "From: list@relaxed.test\r\nTo: bob@example.test\r\nMessage-ID: <kept.1@relaxed.test>\r\n\r\nbody\r\n");
        Assert.True(queued.Code == 250, queued.ToString());
        Assert.Equal("<kept.1@relaxed.test>", kept.Amendment!.MessageId);

        var (refused, dropped) = await RunAsync(Policy(), Zones(), "203.0.113.9", "list@relaxed.test",
            "From: list@relaxed.test\r\nFrom: ceo@strict.test\r\nMessage-ID:\r\n <refused.2@relaxed.test>\r\n\r\nbody\r\n");
        Assert.Equal(550, refused.Code);
        Assert.Equal("<refused.2@relaxed.test>", dropped.RefusedMessageId);
    }
}
