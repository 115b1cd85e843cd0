using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Session;
using Gateway.Policy;

namespace Gateway.Pipeline.Tests.Flow;

/// <summary>
/// TLS required at MAIL for a client network or a sender domain (530 5.7.0), and the RFC 8689 flags handed to the
/// spool: TLS-Required: No, unless the REQUIRETLS option overrides it.
/// </summary>
public sealed class TlsPolicyChecksTests
{
    private static readonly GatewayPolicy Policy = MessageChecksTests.Policy(new AuthenticationPolicy
    {
        AuthservId = "mx.example.test",
        Spf = new SpfPolicy { Verify = false },
        Dkim = new DkimPolicy { Verify = false },
        Arc = new ArcPolicy { Verify = false },
        Dmarc = new DmarcPolicy { Verify = false },
    }) with
    {
        Tls = new TlsPolicy
        {
            RequireFor = new TlsRequirementPolicy { Networks = [IPNetwork.Parse("192.0.2.0/24")], SenderDomains = ["partner.example", ".bank.example"] },
        },
    };

    private static readonly EnvelopeRecipient Bob = new(new Mailbox("bob", "example.test"), RecipientParameters.None, MailDirection.Inbound);

    private static SessionFacts Secure(SessionFacts facts) =>
        facts with { Tls = new TlsFacts(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384) };

    private static PolicySessionHandler Handler(WriterAcceptor? acceptor = null) =>
        MessageChecksTests.Handler(Policy, acceptor ?? new WriterAcceptor(), null);

    [Theory]
    [InlineData("192.0.2.44", "anyone@elsewhere.example")]
    [InlineData("198.51.100.1", "alice@partner.example")]
    [InlineData("198.51.100.1", "alice@mail.bank.example")]
    public async Task Mail_in_plaintext_gets_530_5_7_0(string client, string sender)
    {
        var at = sender.IndexOf('@', StringComparison.Ordinal);
        var verdict = await Handler().OnMailFromAsync(MessageChecksTests.Facts(client), new Mailbox(sender[..at], sender[(at + 1)..]), MailParameters.None, default);

        Assert.Equal(VerdictAction.Reject, verdict.Action);
        Assert.Equal(530, verdict.Reply!.Code);
        Assert.Equal("5.7.0", verdict.Reply.EnhancedCode);
    }

    [Theory]
    [InlineData("198.51.100.1", "alice@elsewhere.example")]
    [InlineData("198.51.100.1", "alice@bank.example")]
    [InlineData("198.51.100.1", null)]
    public async Task Other_clients_and_senders_may_send_in_plaintext(string client, string? sender)
    {
        var from = sender is null ? null : new Mailbox(sender[..sender.IndexOf('@', StringComparison.Ordinal)], sender[(sender.IndexOf('@', StringComparison.Ordinal) + 1)..]);

        Assert.True((await Handler().OnMailFromAsync(MessageChecksTests.Facts(client), from, MailParameters.None, default)).IsContinue);
    }

    [Fact]
    public async Task Inside_tls_the_same_mail_is_accepted()
    {
        Assert.True((await Handler().OnMailFromAsync(Secure(MessageChecksTests.Facts("192.0.2.44")), new Mailbox("alice", "partner.example"), MailParameters.None, default)).IsContinue);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Tls_required_no_is_flagged_unless_requiretls_was_given(bool requireTls, bool flagged)
    {
        var acceptor = new WriterAcceptor();
        var handler = Handler(acceptor);
        var facts = Secure(MessageChecksTests.Facts("198.51.100.1"));
        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = new Mailbox("alice", "elsewhere.example"),
            MailParameters = new MailParameters { RequireTls = requireTls },
            Recipients = [Bob],
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };

        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(verdict.IsContinue);
        await writer!.WriteAsync(Encoding.ASCII.GetBytes("From: alice@elsewhere.example\r\nTLS-Required: No\r\n\r\nbody\r\n"), default);
        Assert.Equal(250, (await writer.CompleteAsync(default)).Code);

        Assert.Equal(flagged, acceptor.Writer.Amendment!.TlsRequiredNo);
    }
}
