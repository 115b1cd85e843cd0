using System.Net;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Transport.Tests.TlsRpt;

public sealed class TlsRptSendersTests
{
    private static readonly TlsRptReport Report = new TlsRptReportBuilder(TlsRptReportBuilderTests.Options).Build(TlsRptReportBuilderTests.Results());

    private sealed class Outbox : ITlsRptReportOutbox
    {
        public List<TlsRptReportMail> Mails { get; } = [];

        public ValueTask QueueAsync(TlsRptReportMail mail, CancellationToken ct)
        {
            Mails.Add(mail);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_mailto_report_is_a_multipart_report_with_the_rfc_8460_header_fields()
    {
        var outbox = new Outbox();
        var composer = new TlsRptMailComposer(TlsRptReportBuilderTests.Options, new FakeTimeProvider(new DateTimeOffset(2025, 6, 2, 1, 0, 0, TimeSpan.Zero)));
        var sender = new MailtoTlsRptReportSender(composer, outbox);
        var destination = new Uri("mailto:tlsrpt@example.org");

        Assert.True(sender.CanSend(destination));
        Assert.True((await sender.SendAsync(Report, destination, CancellationToken.None)).Sent);

        var mail = Assert.Single(outbox.Mails);
        Assert.Equal("noreply-smtp-tls-reporting@gw.example.net", mail.From);
        Assert.Equal(["tlsrpt@example.org"], mail.Recipients);
        var message = MimeMessage.Load(new MemoryStream(mail.Content.ToArray()));
        Assert.Equal("example.org", message.Headers["TLS-Report-Domain"]);
        Assert.Equal("gw.example.net", message.Headers["TLS-Report-Submitter"]);
        Assert.Equal(Report.Subject, message.Subject);
        var body = Assert.IsType<MultipartReport>(message.Body);
        Assert.Equal("tlsrpt", body.ReportType);
        var attachment = Assert.IsType<MimePart>(body[1]);
        Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
        Assert.Equal(Report.FileName, attachment.FileName);
        using var decoded = new MemoryStream();
        attachment.Content!.DecodeTo(decoded);
        Assert.Equal(Report.Gzip.ToArray(), decoded.ToArray());
    }

    [Fact]
    public async Task An_https_report_is_posted_as_tlsrpt_gzip()
    {
        var port = Gateway.Testing.FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var http = new HttpClient();
        var sender = new HttpsTlsRptReportSender(http);

        var send = sender.SendAsync(Report, new Uri($"http://127.0.0.1:{port}/v1/tlsrpt"), CancellationToken.None).AsTask();
        var context = await listener.GetContextAsync();
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var method = context.Request.HttpMethod;
        var contentType = context.Request.ContentType;
        var path = context.Request.Url!.AbsolutePath;
        context.Response.StatusCode = 201;
        context.Response.Close();
        var result = await send;

        Assert.True(result.Sent);
        Assert.Equal("POST", method);
        Assert.Equal("application/tlsrpt+gzip", contentType);
        Assert.Equal("/v1/tlsrpt", path);
        Assert.Equal(Report.Gzip.ToArray(), body.ToArray());
        Assert.True(sender.CanSend(new Uri("https://reports.example.org/")));
        Assert.False(sender.CanSend(new Uri("mailto:a@example.org")));
    }

    [Fact]
    public async Task An_https_refusal_is_a_result_not_an_exception()
    {
        var port = Gateway.Testing.FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var http = new HttpClient();

        var send = new HttpsTlsRptReportSender(http).SendAsync(Report, new Uri($"http://127.0.0.1:{port}/"), CancellationToken.None).AsTask();
        var context = await listener.GetContextAsync();
        context.Response.StatusCode = 503;
        context.Response.Close();
        var result = await send;

        Assert.False(result.Sent);
        Assert.Equal("HTTP 503 from 127.0.0.1", result.Error);
    }
}
