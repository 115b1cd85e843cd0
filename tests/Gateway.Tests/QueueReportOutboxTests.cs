using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Host.Reports;
using Gateway.Queue;
using Gateway.Testing;
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
}
