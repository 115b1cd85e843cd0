using System.Net;
using System.Text;
using Gateway.Abstractions;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Dns;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Delivery.Tests;

internal static class Jobs
{
    public static readonly byte[] SimpleMessage = Encoding.ASCII.GetBytes(
        "From: a@sender.test\r\nTo: b@example.test\r\nSubject: test\r\nMessage-ID: <1@sender.test>\r\n\r\nHello.\r\n");

    public static QueuedRecipient Rcpt(string address, MailDirection direction = MailDirection.Outbound, DsnNotify notify = DsnNotify.None) =>
        new(address, direction, notify, null, null);

    public static DeliveryJob Job(byte[] message, string? from, params QueuedRecipient[] recipients) =>
        Job(message, Envelope(from, recipients), recipients);

    /// <summary>An envelope as the spool keeps it, for tests that set more than sender and recipients (with "with").</summary>
    public static QueuedEnvelope Envelope(string? from, params QueuedRecipient[] recipients) => new()
    {
        QueueId = "q" + Guid.NewGuid().ToString("N")[..15],
        ReceivedAt = DateTimeOffset.UnixEpoch,
        Origin = QueuedEnvelope.SmtpOrigin,
        From = from,
        Recipients = recipients,
    };

    public static DeliveryJob Job(byte[] message, QueuedEnvelope envelope, IReadOnlyList<QueuedRecipient> recipients) =>
        new(envelope.QueueId, envelope, recipients, _ => ValueTask.FromResult<Stream>(new MemoryStream(message, writable: false)));

    /// <summary>DNS where every name in <paramref name="mxDomains"/> has one MX, mx.&lt;domain&gt;, on 127.0.0.1.</summary>
    public static InMemoryDnsResolver LoopbackMx(params string[] mxDomains)
    {
        var dns = new InMemoryDnsResolver();
        foreach (var domain in mxDomains)
        {
            dns.AddMx(domain, 10, "mx." + domain).AddA("mx." + domain, IPAddress.Loopback);
        }

        return dns;
    }

    public static SmtpDeliveryAgent Agent(DeliveryOptions options, IDnsResolver dns, TimeProvider? time = null) =>
        new(options, new Router(options, dns, NullLogger<Router>.Instance, localAddresses: []), time ?? TimeProvider.System, NullLogger<SmtpDeliveryAgent>.Instance);

    public static DeliveryOptions Options(int port) => new() { HostName = "gw.ours.test", Port = port, ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(10) };

    public static FakeTimeProvider Clock() => new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
}
