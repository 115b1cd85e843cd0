using System.Globalization;
using MimeKit;
using MimeKit.Utils;

namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Composes the report mail of RFC 8460 5.3: TLS-Report-Domain and TLS-Report-Submitter header fields, the Subject
/// "Report Domain: ... Submitter: ... Report-ID: &lt;...&gt;", and a multipart/report; report-type="tlsrpt" body
/// with a human-readable part and the gzip'd report as application/tlsrpt+gzip.
/// </summary>
public sealed class TlsRptMailComposer
{
    private readonly TlsRptReportOptions _options;
    private readonly TimeProvider _time;

    public TlsRptMailComposer(TlsRptReportOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    public TlsRptReportMail Compose(TlsRptReport report, IReadOnlyList<string> recipients)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recipients);
        var from = _options.FromAddress;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = report.Subject;
        message.Date = _time.GetUtcNow();
        message.MessageId = MimeUtils.GenerateMessageId(_options.HostName ?? _options.SubmitterDomain);
        message.Headers.Add("TLS-Report-Domain", report.PolicyDomain);
        message.Headers.Add("TLS-Report-Submitter", _options.SubmitterDomain);
        var text = new TextPart("plain")
        {
            Text = string.Create(
                CultureInfo.InvariantCulture,
                $"This is an aggregate TLS report (RFC 8460) from {_options.OrganizationName} for {report.PolicyDomain}, {report.Begin:u} to {report.End:u}.\r\n"),
        };
        var attachment = new MimePart("application", "tlsrpt+gzip")
        {
            Content = new MimeContent(new MemoryStream(report.Gzip.ToArray())),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = report.FileName,
        };
        message.Body = new MultipartReport("tlsrpt") { text, attachment };
        using var output = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output);
        return new TlsRptReportMail(from, recipients, output.ToArray());
    }
}
