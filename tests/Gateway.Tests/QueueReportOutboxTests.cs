using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Reports;
using Gateway.Host.Hosting;
using Gateway.Host.Reports;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Testing;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>Report mails enter the outbound queue as mail we originate, never asking for notices about themselves.</summary>
public sealed class QueueReportOutboxTests
{
    [Fact]
    public async Task A_report_mail_is_queued_outbound_as_a_report()
    {
        var state = TestDirectories.CreateTemp("gw-outbox");
        await using var queue = new FileQueueStore(
            Path.Combine(state, "queue"), TimeProvider.System, new FileTraceLog(Path.Combine(state, "log")), NullLogger<FileQueueStore>.Instance);
        var content = "Subject: report\r\n\r\nbody\r\n"u8.ToArray();

        await new QueueReportOutbox(queue, TimeProvider.System).QueueAsync(
            new DmarcReportMail("dmarc-reports@example.test", ["rua@sender.test", "rua@other.test"], content), CancellationToken.None);

        QueueEntry? entry = null;
        await foreach (var queued in queue.ListAsync(CancellationToken.None))
        {
            Assert.Null(entry);
            entry = queued;
        }

        Assert.NotNull(entry);
        Assert.Equal(QueuedEnvelope.ReportOrigin, entry.Envelope.Origin);
        Assert.Equal("dmarc-reports@example.test", entry.Envelope.From);
        Assert.Equal(["rua@sender.test", "rua@other.test"], entry.Envelope.Recipients.Select(r => r.Address));
        Assert.All(entry.Envelope.Recipients, r => Assert.Equal((MailDirection.Outbound, DsnNotify.Never), (r.Direction, r.Notify)));
        await using var stored = await queue.OpenMessageAsync(entry.Envelope.QueueId, CancellationToken.None);
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task A_report_from_a_domain_with_signing_keys_is_dkim_signed_over_the_unchanged_bytes()
    {
        var state = TestDirectories.CreateTemp("gw-outbox");
        var key = Path.Combine(state, "rsa.pem");
        var generated = DkimKeyGenerator.GenerateRsa();
        File.WriteAllText(key, generated.PrivateKeyPem);
        var policy = new GatewayPolicy
        {
            HostName = "mx.example.test",
            StateDirectory = state,
            Domains = ["example.test"],
            Listeners = [new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 2525) }],
            Authentication = new AuthenticationPolicy
            {
                Dkim = new DkimPolicy { Sign = [new DkimSigningKeyPolicy("example.test", "r1", key, null, new PolicyPosition("gateway.yaml", 1, 1))] },
            },
        };
        using var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out var errors);
        Assert.Empty(errors);
        await using var queue = new FileQueueStore(
            Path.Combine(state, "queue"), TimeProvider.System, new FileTraceLog(Path.Combine(state, "log")), NullLogger<FileQueueStore>.Instance);
        var outbox = new QueueReportOutbox(queue, TimeProvider.System, () => runtime!.Authentication);
        var content = "From: tls-reports@example.test\r\nSubject: Report Domain: other.test\r\n\r\nbody\r\n"u8.ToArray();

        await outbox.QueueAsync(new TlsRptReportMail("tls-reports@example.test", ["rua@other.test"], content), CancellationToken.None);
        await outbox.QueueAsync(new DmarcReportMail("reports@unsigned.test", ["rua@other.test"], content), CancellationToken.None);

        var stored = new Dictionary<string, byte[]>();
        await foreach (var entry in queue.ListAsync(CancellationToken.None))
        {
            await using var message = await queue.OpenMessageAsync(entry.Envelope.QueueId, CancellationToken.None);
            using var copy = new MemoryStream();
            await message.CopyToAsync(copy);
            stored[entry.Envelope.From!] = copy.ToArray();
        }

        var signed = Encoding.ASCII.GetString(stored["tls-reports@example.test"]);
        Assert.StartsWith("DKIM-Signature: ", signed, StringComparison.Ordinal);
        Assert.Contains("d=example.test", signed, StringComparison.Ordinal);
        Assert.Contains("s=r1", signed, StringComparison.Ordinal);
        Assert.EndsWith(Encoding.ASCII.GetString(content), signed, StringComparison.Ordinal);

        // A receiver with the published key finds the signature valid.
        var dns = new Gateway.Dns.InMemoryDnsResolver().AddTxt("r1._domainkey.example.test", generated.DnsTxtRecord);
        var verifier = new DkimVerifierService(dns, DkimVerifyOptions.Default, TimeProvider.System);
        var raw = stored["tls-reports@example.test"];
        var results = await verifier.VerifyAsync(MimeKit.MimeMessage.Load(new MemoryStream(raw)), raw, CancellationToken.None);
        Assert.Equal(DkimResult.Pass, Assert.Single(results).Result);
        Assert.Equal(content, stored["reports@unsigned.test"]);
    }
}
