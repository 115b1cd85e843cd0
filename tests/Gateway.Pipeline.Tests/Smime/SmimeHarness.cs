using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Session;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Tests.Flow;
using Gateway.Policy;
using Gateway.Smime.Cms;
using Gateway.Smime.Tests.Cms;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Pipeline.Tests.Smime;

/// <summary>The keys and certificates of one test class (RSA key generation is the slow part).</summary>
public sealed class SmimePki
{
    public SmimePki()
    {
        Ca = TestPki.CreateCa();
        Alice = TestPki.Issue(Ca, "alice@example.test");
        Carol = TestPki.Issue(Ca, "carol@example.test");
        Partner = TestPki.Issue(Ca, "bob@partner.test");
        Outsider = TestPki.Issue(Ca, "eve@elsewhere.test");
    }

    public TestCa Ca { get; }

    public TestIdentity Alice { get; }

    public TestIdentity Carol { get; }

    public TestIdentity Partner { get; }

    public TestIdentity Outsider { get; }
}

/// <summary>
/// One organisation (example.test, keys in memory, a test CA made now) and one partner (partner.test), with a
/// policy that signs, encrypts, decrypts and verifies; each test changes what it needs and sends through the real
/// session handler.
/// </summary>
internal sealed class SmimeHarness
{
    public SmimeHarness(SmimePki pki)
    {
        Ca = pki.Ca;
        Alice = pki.Alice;
        Carol = pki.Carol;
        Partner = pki.Partner;
        Outsider = pki.Outsider;
        Keys.AddSigningKey("alice@example.test", Alice.PrivateKey, Alice.Chain);
        Keys.AddRecipientKey("carol@example.test", Carol.PrivateKey, Carol.Certificate);
        Certificates["bob@partner.test"] = new SmimeRecipient(Partner.Certificate);
    }

    public TestCa Ca { get; }

    public TestIdentity Alice { get; }

    public TestIdentity Carol { get; }

    public TestIdentity Partner { get; }

    public TestIdentity Outsider { get; }

    public InMemorySmimeKeySource Keys { get; } = new();

    public Dictionary<string, SmimeRecipient> Certificates { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<SmimeRecipient> Harvested { get; } = [];

    public bool Sealed { get; set; }

    public SmimePolicy Smime { get; set; } = new()
    {
        Enabled = true,
        Sign = new SmimeSignPolicy { Senders = [new SenderPattern(null, "example.test")] },
        Encrypt = new SmimeEncryptPolicy
        {
            Domains = new Dictionary<string, SmimeEncryptMode>(StringComparer.Ordinal)
            {
                ["partner.test"] = SmimeEncryptMode.WhenKnown,
                ["strict.test"] = SmimeEncryptMode.Required,
            },
        },
    };

    /// <summary>Our domain has an internal route unless a test takes it away.</summary>
    public bool InternalRoute { get; set; } = true;

    public GatewayPolicy Policy() => MessageChecksTests.Policy() with
    {
        Smime = Smime,
        Delivery = new DeliveryPolicy
        {
            Routes = InternalRoute
                ? new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal) { ["*"] = [] }.AsReadOnly()
                : new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal).AsReadOnly(),
        },
    };

    public SmimeServices Services() => new()
    {
        Keys = Keys,
        IsSealed = () => Sealed,
        FindCertificate = (address, _) => ValueTask.FromResult(Certificates.TryGetValue(address, out var found) ? found : null),
        Harvest = (certificate, _) =>
        {
            Harvested.Add(certificate);
            return ValueTask.CompletedTask;
        },
        Verifier = new SmimeVerifier(new SmimeTrust([System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Ca.Certificate.GetEncoded())]), TimeProvider.System, SmimeLimits.Default),
        Time = TimeProvider.System,
    };

    public PolicySessionHandler Handler(WriterAcceptor acceptor)
    {
        var policy = Policy();
        var pipeline = new MessagePipeline(policy, MessageChecksTests.Services(policy, MessageChecksTests.Zones()), NullLogger.Instance, Services());
        return new PolicySessionHandler(pipeline, acceptor, NullLogger.Instance);
    }

    /// <summary>From the trusted network (our own server) to the given recipients; the reply and the parts queued.</summary>
    public Task<(SmtpReply Reply, WriterAcceptor Parts)> SendOutboundAsync(string message, params string[] recipients) =>
        SendAsync("10.0.0.5", "alice@example.test", message, recipients);

    /// <summary>From an outside client to the given recipients.</summary>
    public Task<(SmtpReply Reply, WriterAcceptor Parts)> SendInboundAsync(string message, params string[] recipients) =>
        SendAsync("192.0.2.1", "eve@elsewhere.test", message, recipients);

    public async Task<(SmtpReply Reply, WriterAcceptor Parts)> SendAsync(string client, string mailFrom, string message, params string[] recipients)
    {
        var acceptor = new WriterAcceptor();
        var handler = Handler(acceptor);
        var facts = MessageChecksTests.Facts(client);
        var from = Address(mailFrom);
        var mail = await handler.OnMailFromAsync(facts, from, MailParameters.None, default);
        Assert.True(mail.IsContinue);
        var accepted = new List<EnvelopeRecipient>();
        foreach (var recipient in recipients)
        {
            var decision = await handler.OnRecipientAsync(facts, from, Address(recipient), RecipientParameters.None, default);
            if (!decision.Verdict.IsContinue)
            {
                return (decision.Verdict.Reply!, acceptor);
            }

            accepted.Add(new EnvelopeRecipient(Address(recipient), RecipientParameters.None, decision.Direction));
        }

        var envelope = new Envelope
        {
            TransactionId = "t1",
            Session = facts,
            From = from,
            MailParameters = MailParameters.None,
            Recipients = accepted,
            ReceivedAt = DateTimeOffset.UnixEpoch,
        };
        var (verdict, writer) = await handler.OnMessageStartAsync(envelope, default);
        Assert.True(verdict.IsContinue);
        await writer!.WriteAsync(Encoding.UTF8.GetBytes(message), default);
        return (await writer.CompleteAsync(default), acceptor);
    }

    public static Mailbox Address(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return new Mailbox(text[..at], text[(at + 1)..]);
    }

    public static MimeMessage Parse(string delivered) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(delivered)));

    /// <summary>A plain message from alice, CRLF.</summary>
    public static string Plain(string to = "bob@partner.test", string body = "Quarterly figures attached.\r\n") =>
        $"From: Alice <alice@example.test>\r\nTo: {to}\r\nSubject: figures\r\nMessage-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}";

    /// <summary>A message whose body is encrypted by an outside sender to <paramref name="recipient"/>'s certificate.</summary>
    public static async Task<string> EncryptedForAsync(TestIdentity recipient, string text = "The secret plan.\r\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("eve@elsewhere.test"));
        message.To.Add(MailboxAddress.Parse(recipient.Address));
        message.Subject = "sealed";
        message.Body = new TextPart("plain") { Text = text };
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(recipient.Certificate)], SmimeEncryptOptions.Default, default);
        return Write(message);
    }

    public static string Write(MimeMessage message)
    {
        using var output = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, output);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
