using System.Text;
using Gateway.Abstractions;
using Gateway.Queue.Notices;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Queue.Tests.Notices;

public sealed class DsnNoticeFactoryTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    private const string Original =
        "Received: from client.example.org ([192.0.2.1]) by gw.example.test (Gateway) with ESMTP id abc; Fri, 20 Nov 2026 08:00:00 +0000\r\n"
        + "From: Sender <sender@example.org>\r\n"
        + "To: alice@example.test\r\n"
        + "Subject: hello\r\n"
        + "Message-ID: <orig-1@example.org>\r\n"
        + "\r\n"
        + "The secret body.\r\n";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero));

    private DsnNoticeFactory Factory(Func<string, bool>? isLocal = null, int maxReturned = 1024 * 1024) =>
        new(new DsnNoticeOptions { HostName = "gw.example.test", IsLocalDomain = isLocal, MaxReturnedMessageBytes = maxReturned }, _time);

    private static QueuedRecipient Rcpt(string address, DsnNotify notify = DsnNotify.None, string? orcpt = null) =>
        new(address, MailDirection.Inbound, notify, orcpt is null ? null : "rfc822", orcpt);

    private static QueuedEnvelope Envelope(params QueuedRecipient[] recipients) => new()
    {
        QueueId = "0123456789abcdef",
        ReceivedAt = Received,
        Origin = QueuedEnvelope.SmtpOrigin,
        From = "sender@example.org",
        EnvelopeId = "env-42",
        Recipients = recipients,
    };

    private static NoticeRequest Request(QueuedEnvelope envelope, NoticeKind kind, params NoticeRecipient[] recipients) =>
        new(envelope, kind, recipients, kind == NoticeKind.Delay ? Received.AddDays(2) : null,
            _ => ValueTask.FromResult<Stream>(new MemoryStream(Encoding.ASCII.GetBytes(Original))));

    private static NoticeRecipient Failed(QueuedRecipient r, string reply = "550 5.1.1 <alice@example.test>: User unknown") =>
        new(r, DsnAction.Failed, "5.1.1", reply, "mx.example.test", new DateTimeOffset(2026, 11, 20, 9, 29, 0, TimeSpan.Zero));

    private static MimeMessage Parse(NoticeMessage notice) => MimeMessage.Load(new MemoryStream(notice.Content.ToArray()));

    private static (HeaderList PerMessage, List<HeaderList> PerRecipient) Status(MimeMessage message)
    {
        var report = Assert.IsType<MultipartReport>(message.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        // MimeKit's parser reports the blank line MimeKit's writer leaves after the last group as an empty group.
        return (status.StatusGroups[0], status.StatusGroups.Skip(1).Where(g => g.Count > 0).ToList());
    }

    [Fact]
    public async Task Builds_a_failure_report_that_parses_back()
    {
        var alice = Rcpt("alice@example.test", orcpt: "Alice@Example.test");
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        Assert.NotNull(notice);
        var message = Parse(notice);
        Assert.Equal("MAILER-DAEMON@gw.example.test", ((MailboxAddress)message.From[0]).Address);
        Assert.Equal("sender@example.org", ((MailboxAddress)message.To[0]).Address);
        Assert.Equal("auto-replied", message.Headers["Auto-Submitted"]);
        Assert.Equal("orig-1@example.org", message.InReplyTo);
        Assert.Equal(_time.GetUtcNow(), message.Date);

        var report = Assert.IsType<MultipartReport>(message.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal(3, report.Count);
        var human = Assert.IsType<TextPart>(report[0]);
        Assert.Contains("could not be delivered", human.Text, StringComparison.Ordinal);
        Assert.Contains("550 5.1.1 <alice@example.test>: User unknown", human.Text, StringComparison.Ordinal);

        var (perMessage, perRecipient) = Status(message);
        Assert.Equal("dns; gw.example.test", perMessage["Reporting-MTA"]);
        Assert.Equal("env-42", perMessage["Original-Envelope-Id"]);
        Assert.Equal("Fri, 20 Nov 2026 08:00:00 +0000", perMessage["Arrival-Date"]);
        var group = Assert.Single(perRecipient);
        Assert.Equal("rfc822; Alice@Example.test", group["Original-Recipient"]);
        Assert.Equal("rfc822; alice@example.test", group["Final-Recipient"]);
        Assert.Equal("failed", group["Action"]);
        Assert.Equal("5.1.1", group["Status"]);
        Assert.Equal("dns; mx.example.test", group["Remote-MTA"]);
        Assert.Equal("smtp; 550 5.1.1 <alice@example.test>: User unknown", group["Diagnostic-Code"]);
        Assert.Equal("Fri, 20 Nov 2026 09:29:00 +0000", group["Last-Attempt-Date"]);
        Assert.Null(group["Will-Retry-Until"]);

        // No RET: headers only (never the body).
        var returned = report[2];
        Assert.Equal("text/rfc822-headers", returned.ContentType.MimeType);
        var text = Encoding.ASCII.GetString(notice.Content.Span);
        Assert.Contains("Subject: hello", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret body", text, StringComparison.Ordinal);

        var envelope = notice.Envelope;
        Assert.Null(envelope.From);
        Assert.Equal(QueuedEnvelope.NoticeOrigin, envelope.Origin);
        var to = Assert.Single(envelope.Recipients);
        Assert.Equal("sender@example.org", to.Address);
        Assert.Equal(DsnNotify.Never, to.Notify);
    }

    [Fact]
    public async Task Ret_full_returns_the_whole_message_as_message_rfc822()
    {
        var alice = Rcpt("alice@example.test");
        var envelope = Envelope(alice) with { Return = DsnReturn.Full };
        var notice = await Factory().CreateAsync(Request(envelope, NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        var report = Assert.IsType<MultipartReport>(Parse(notice!).Body);
        var returned = Assert.IsType<MessagePart>(report[2]);
        Assert.Equal("message/rfc822", returned.ContentType.MimeType);
        Assert.Equal("hello", returned.Message!.Subject);
        Assert.Contains("The secret body.", Encoding.ASCII.GetString(notice!.Content.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ret_full_falls_back_to_headers_for_a_large_message()
    {
        var alice = Rcpt("alice@example.test");
        var envelope = Envelope(alice) with { Return = DsnReturn.Full };
        var notice = await Factory(maxReturned: 100).CreateAsync(Request(envelope, NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        var report = Assert.IsType<MultipartReport>(Parse(notice!).Body);
        Assert.Equal("text/rfc822-headers", report[2].ContentType.MimeType);
        Assert.DoesNotContain("secret body", Encoding.ASCII.GetString(notice!.Content.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ret_hdrs_returns_headers_only()
    {
        var alice = Rcpt("alice@example.test");
        var envelope = Envelope(alice) with { Return = DsnReturn.Headers };
        var notice = await Factory().CreateAsync(Request(envelope, NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        var report = Assert.IsType<MultipartReport>(Parse(notice!).Body);
        Assert.Equal("text/rfc822-headers", report[2].ContentType.MimeType);
    }

    [Fact]
    public async Task A_requiretls_message_is_returned_as_headers_only_under_requiretls()
    {
        var alice = Rcpt("alice@example.test");
        var envelope = Envelope(alice) with { Return = DsnReturn.Full, RequireTls = true };
        var notice = await Factory().CreateAsync(Request(envelope, NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        // RFC 8689 5: the body a sender wanted kept off plaintext links is not returned, and the notice asks for
        // the same protection on its way back.
        var report = Assert.IsType<MultipartReport>(Parse(notice!).Body);
        Assert.Equal("text/rfc822-headers", report[2].ContentType.MimeType);
        Assert.DoesNotContain("secret body", Encoding.ASCII.GetString(notice!.Content.Span), StringComparison.Ordinal);
        Assert.True(notice.Envelope.RequireTls);
        Assert.False((await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None))!.Envelope.RequireTls);
    }

    [Fact]
    public async Task A_reason_of_our_own_is_not_reported_as_the_remote_hosts_reply()
    {
        var alice = Rcpt("alice@example.test");
        var refused = new NoticeRecipient(alice, DsnAction.Failed, "4.4.1", "451 4.4.1 delivery to mx:example.test failed temporarily: Connection refused",
            "mx.example.test", Received.AddDays(2), LocalDiagnostic: true);
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, refused), CancellationToken.None);

        var message = Parse(notice!);
        var human = Assert.IsType<TextPart>(Assert.IsType<MultipartReport>(message.Body)[0]).Text;
        Assert.Contains("<alice@example.test>: 451 4.4.1 delivery to mx:example.test failed temporarily: Connection refused", human, StringComparison.Ordinal);
        Assert.DoesNotContain("said", human, StringComparison.Ordinal);
        var group = Assert.Single(Status(message).PerRecipient);
        Assert.Null(group["Remote-MTA"]);
        Assert.Equal("X-Gateway; 451 4.4.1 delivery to mx:example.test failed temporarily: Connection refused", group["Diagnostic-Code"]);
    }

    [Fact]
    public async Task A_delay_report_carries_will_retry_until()
    {
        var alice = Rcpt("alice@example.test");
        var delayed = new NoticeRecipient(alice, DsnAction.Delayed, "4.2.0", "451 4.2.0 try later", "mx.example.test", Received.AddHours(5));
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Delay, delayed), CancellationToken.None);

        var message = Parse(notice!);
        Assert.StartsWith("Delayed Mail", message.Subject, StringComparison.Ordinal);
        var group = Assert.Single(Status(message).PerRecipient);
        Assert.Equal("delayed", group["Action"]);
        Assert.Equal("4.2.0", group["Status"]);
        Assert.Equal("Sun, 22 Nov 2026 08:00:00 +0000", group["Will-Retry-Until"]);
        Assert.Contains("Sun, 22 Nov 2026 08:00:00 +0000", Assert.IsType<TextPart>(Assert.IsType<MultipartReport>(message.Body)[0]).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DsnNotify.None, NoticeKind.Failure, true)]
    [InlineData(DsnNotify.None, NoticeKind.Delay, true)]
    [InlineData(DsnNotify.None, NoticeKind.Success, false)]
    [InlineData(DsnNotify.Never, NoticeKind.Failure, false)]
    [InlineData(DsnNotify.Never, NoticeKind.Delay, false)]
    [InlineData(DsnNotify.Success, NoticeKind.Success, true)]
    [InlineData(DsnNotify.Success, NoticeKind.Failure, false)]
    [InlineData(DsnNotify.Failure, NoticeKind.Delay, false)]
    [InlineData(DsnNotify.Failure | DsnNotify.Delay, NoticeKind.Delay, true)]
    public void Honours_notify(DsnNotify notify, NoticeKind kind, bool expected)
    {
        Assert.Equal(expected, DsnNoticeFactory.Wants(notify, kind));
    }

    [Fact]
    public async Task Notify_never_gives_no_notice()
    {
        var alice = Rcpt("alice@example.test", DsnNotify.Never);

        Assert.Null(await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None));
    }

    [Fact]
    public async Task Only_recipients_that_asked_are_reported()
    {
        var alice = Rcpt("alice@example.test", DsnNotify.Never);
        var bob = Rcpt("bob@example.test");
        var notice = await Factory().CreateAsync(Request(Envelope(alice, bob), NoticeKind.Failure, Failed(alice), Failed(bob)), CancellationToken.None);

        var group = Assert.Single(Status(Parse(notice!)).PerRecipient);
        Assert.Equal("rfc822; bob@example.test", group["Final-Recipient"]);
    }

    [Fact]
    public async Task Never_to_the_null_sender_nor_about_a_notice()
    {
        var alice = Rcpt("alice@example.test");

        Assert.Null(await Factory().CreateAsync(Request(Envelope(alice) with { From = null }, NoticeKind.Failure, Failed(alice)), CancellationToken.None));
        Assert.Null(await Factory().CreateAsync(Request(Envelope(alice) with { Origin = QueuedEnvelope.NoticeOrigin }, NoticeKind.Failure, Failed(alice)), CancellationToken.None));
    }

    [Fact]
    public async Task A_success_report_says_relayed()
    {
        var alice = Rcpt("alice@example.test", DsnNotify.Success);
        var relayed = new NoticeRecipient(alice, DsnAction.Relayed, "2.0.0", "250 2.0.0 Ok: queued as X", "mx.example.test", Received.AddMinutes(1));
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Success, relayed), CancellationToken.None);

        var group = Assert.Single(Status(Parse(notice!)).PerRecipient);
        Assert.Equal("relayed", group["Action"]);
        Assert.Equal("2.0.0", group["Status"]);
    }

    [Fact]
    public async Task Sanitises_a_hostile_remote_reply()
    {
        var alice = Rcpt("alice@example.test");
        var reply = "550 5.7.1 bad\r\nInjected: yes\r\n" + new string('x', 5000);
        var hostile = new NoticeRecipient(alice, DsnAction.Failed, "9.9.9", reply, "mx.example.test\r\nX: y", null);
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, hostile), CancellationToken.None);

        var group = Assert.Single(Status(Parse(notice!)).PerRecipient);
        Assert.Null(group["Injected"]);
        Assert.Null(group["Remote-MTA"]);
        Assert.Equal("5.0.0", group["Status"]);
        var diagnostic = group["Diagnostic-Code"] ?? string.Empty;
        Assert.StartsWith("smtp; 550 5.7.1 bad Injected: yes xxx", diagnostic, StringComparison.Ordinal);
        Assert.True(diagnostic.Length < 1100);
    }

    [Theory]
    [InlineData("5.1.1", "5.1.1")]
    [InlineData("4.4.1", "4.4.1")]
    [InlineData("5.01.1", "5.0.0")]
    [InlineData("5.1.1000", "5.0.0")]
    [InlineData("2.0.0", "5.0.0")]
    [InlineData("5.1", "5.0.0")]
    public async Task A_failure_status_must_be_an_rfc3463_code_of_a_failure_class(string status, string written)
    {
        // RFC 3463 2: no leading zeros in a sub-code, so "5.01.1" is not a status code and the default is written.
        var alice = Rcpt("alice@example.test");
        var failed = new NoticeRecipient(alice, DsnAction.Failed, status, "550 no", "mx.example.test", null);
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, failed), CancellationToken.None);

        Assert.Equal(written, Assert.Single(Status(Parse(notice!)).PerRecipient)["Status"]);
    }

    [Theory]
    [InlineData("550 5.1.1 no such user", "smtp; ")]
    [InlineData("550-5.1.1 no such user", "smtp; ")]
    [InlineData("550", "smtp; ")]
    [InlineData("5500 no", "X-Gateway; ")]
    [InlineData("570 no", "X-Gateway; ")]
    [InlineData("connection refused", "X-Gateway; ")]
    public async Task Only_a_text_starting_with_a_reply_code_is_an_smtp_diagnostic(string diagnostic, string type)
    {
        var alice = Rcpt("alice@example.test");
        var failed = new NoticeRecipient(alice, DsnAction.Failed, "5.0.0", diagnostic, null, null);
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, failed), CancellationToken.None);

        Assert.Equal(type + diagnostic, Assert.Single(Status(Parse(notice!)).PerRecipient)["Diagnostic-Code"]);
    }

    [Fact]
    public async Task A_local_reason_gets_a_non_smtp_diagnostic_type()
    {
        var alice = Rcpt("alice@example.test");
        var local = new NoticeRecipient(alice, DsnAction.Failed, "5.4.6", "mail loops back to myself", null, null);
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, local), CancellationToken.None);

        var group = Assert.Single(Status(Parse(notice!)).PerRecipient);
        Assert.Equal("X-Gateway; mail loops back to myself", group["Diagnostic-Code"]);
        Assert.Equal("5.4.6", group["Status"]);
    }

    [Fact]
    public async Task Routes_the_notice_by_the_senders_domain()
    {
        var alice = Rcpt("alice@example.test");
        var local = await Factory(d => d == "example.org").CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None);
        var remote = await Factory(_ => false).CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        Assert.Equal(MailDirection.Inbound, Assert.Single(local!.Envelope.Recipients).Direction);
        Assert.Equal(MailDirection.Outbound, Assert.Single(remote!.Envelope.Recipients).Direction);
    }

    [Fact]
    public async Task A_missing_original_still_gives_a_notice_without_returned_content()
    {
        var alice = Rcpt("alice@example.test");
        var request = Request(Envelope(alice), NoticeKind.Failure, Failed(alice)) with
        {
            OpenOriginal = _ => throw new FileNotFoundException("gone"),
        };
        var notice = await Factory().CreateAsync(request, CancellationToken.None);

        var report = Assert.IsType<MultipartReport>(Parse(notice!).Body);
        Assert.Equal(2, report.Count);
    }

    [Fact]
    public async Task Writes_crlf_line_ends_only()
    {
        var alice = Rcpt("alice@example.test");
        var notice = await Factory().CreateAsync(Request(Envelope(alice), NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        var bytes = notice!.Content.ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                Assert.True(i > 0 && bytes[i - 1] == (byte)'\r', $"bare LF at {i}");
            }
        }

        Assert.Equal(BodyType.SevenBit, notice.Envelope.Body);
    }

    [Fact]
    public async Task A_non_ascii_recipient_uses_the_utf8_address_type()
    {
        var jose = Rcpt("jos\u00e9@example.test");
        var notice = await Factory().CreateAsync(Request(Envelope(jose), NoticeKind.Failure, Failed(jose)), CancellationToken.None);

        var group = Assert.Single(Status(Parse(notice!)).PerRecipient);
        Assert.Equal("utf-8; jos\\x{E9}@example.test", group["Final-Recipient"]);
    }

    [Fact]
    public async Task A_sender_with_a_quoted_local_part_gets_a_valid_to_field()
    {
        var alice = Rcpt("alice@example.test");
        var envelope = Envelope(alice) with { From = "john doe@example.org" };
        var notice = await Factory().CreateAsync(Request(envelope, NoticeKind.Failure, Failed(alice)), CancellationToken.None);

        var to = Assert.IsType<MailboxAddress>(Assert.Single(Parse(notice!).To));
        Assert.Equal("\"john doe\"@example.org", to.Address);
        Assert.Equal("john doe@example.org", Assert.Single(notice!.Envelope.Recipients).Address);
    }
}
