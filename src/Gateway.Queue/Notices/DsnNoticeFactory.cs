using System.Globalization;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;
using MimeKit;

namespace Gateway.Queue.Notices;

/// <summary>
/// Builds RFC 3464 delivery status notifications: a multipart/report (RFC 6522) with a human-readable part, a
/// message/delivery-status part and the returned original (RFC 3461 4.3 RET). Everything taken from the original
/// message or a remote reply is sanitised first: those values come from strangers.
/// </summary>
public sealed class DsnNoticeFactory : INoticeFactory
{
    // RFC 3464 2.1: Diagnostic-Code text is copied from the remote server; bound it so a hostile next hop cannot
    // make the notice large.
    private const int MaxDiagnosticLength = 1000;

    private readonly DsnNoticeOptions _options;
    private readonly TimeProvider _time;

    public DsnNoticeFactory(DsnNoticeOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (!DomainName.IsValid(options.HostName))
        {
            throw new ArgumentException("The host name is not a valid domain.", nameof(options));
        }

        _options = options;
        _time = time;
    }

    /// <summary>
    /// RFC 3461 4.1: NEVER suppresses every notice; no NOTIFY means FAILURE,DELAY; SUCCESS only when asked.
    /// </summary>
    public static bool Wants(DsnNotify notify, NoticeKind kind)
    {
        if ((notify & DsnNotify.Never) != 0)
        {
            return false;
        }

        if (notify == DsnNotify.None)
        {
            return kind is NoticeKind.Failure or NoticeKind.Delay;
        }

        return kind switch
        {
            NoticeKind.Failure => (notify & DsnNotify.Failure) != 0,
            NoticeKind.Delay => (notify & DsnNotify.Delay) != 0,
            _ => (notify & DsnNotify.Success) != 0,
        };
    }

    public async ValueTask<NoticeMessage?> CreateAsync(NoticeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var original = request.Original;

        // RFC 5321 4.5.5 / RFC 3461 6.2: never to the null reverse path, and never about a notice.
        if (string.IsNullOrEmpty(original.From)
            || string.Equals(original.Origin, QueuedEnvelope.NoticeOrigin, StringComparison.Ordinal))
        {
            return null;
        }

        var recipients = request.Recipients.Where(r => Wants(r.Recipient.Notify, request.Kind)).ToList();
        if (recipients.Count == 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var returned = await ReadOriginalAsync(request, cancellationToken).ConfigureAwait(false);
        using var message = BuildMessage(request, recipients, returned, now);
        var international = !IsAscii(original.From);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.International = international;
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output, cancellationToken).ConfigureAwait(false);
        var bytes = output.ToArray();

        var envelope = new QueuedEnvelope
        {
            QueueId = string.Empty,
            ReceivedAt = now,
            Origin = QueuedEnvelope.NoticeOrigin,
            From = null,
            Helo = _options.HostName,
            Body = IsAscii(bytes) ? BodyType.SevenBit : BodyType.EightBitMime,
            SmtpUtf8 = international,
            Return = DsnReturn.Headers,

            // RFC 8689 5: a notice about a REQUIRETLS message travels under REQUIRETLS too (and returns headers only).
            RequireTls = original.RequireTls,
            Recipients =
            [
                // NOTIFY=NEVER on the notice itself: a notice is never the subject of another notice.
                new QueuedRecipient(original.From, DirectionOfSender(original), DsnNotify.Never, null, null),
            ],
        };
        return new NoticeMessage(envelope, bytes);
    }

    private MimeMessage BuildMessage(NoticeRequest request, List<NoticeRecipient> recipients, ReturnedContent returned, DateTimeOffset now)
    {
        var original = request.Original;
        var host = _options.HostName;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + host));
        message.To.Add(ToAddress(original.From!));
        message.Subject = request.Kind switch
        {
            NoticeKind.Failure => "Undelivered Mail Returned to Sender",
            NoticeKind.Delay => "Delayed Mail (still being retried)",
            _ => "Successful Mail Delivery Report",
        };
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(host);

        // RFC 3834 5: a notice is an automatic reply; auto-responders must not answer it.
        message.Headers.Add("Auto-Submitted", "auto-replied");
        if (returned.MessageId is not null)
        {
            message.InReplyTo = returned.MessageId;
            message.References.Add(returned.MessageId);
        }

        var report = new MultipartReport("delivery-status");
        report.Add(HumanReadablePart(request, recipients, returned));
        report.Add(StatusPart(request, recipients));
        if (returned.Full is not null)
        {
            report.Add(RawPart("message", "rfc822", returned.Full));
        }
        else if (returned.Headers is not null)
        {
            report.Add(RawPart("text", "rfc822-headers", returned.Headers));
        }

        message.Body = report;
        return message;
    }

    private TextPart HumanReadablePart(NoticeRequest request, List<NoticeRecipient> recipients, ReturnedContent returned)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at host ").Append(_options.HostName).Append(".\r\n\r\n");
        switch (request.Kind)
        {
            case NoticeKind.Failure:
                text.Append("Your message could not be delivered to one or more recipients.\r\n");
                break;
            case NoticeKind.Delay:
                text.Append("Your message could not be delivered yet to one or more recipients.\r\n");
                text.Append("It is still queued and delivery will be retried");
                if (request.WillRetryUntil is { } until)
                {
                    text.Append(" until ").Append(MailDate.Format(until));
                }

                text.Append(".\r\nYou do not need to send the message again.\r\n");
                break;
            default:
                text.Append("Your message was successfully passed on to the recipients below.\r\n");
                break;
        }

        if (returned.Full is not null)
        {
            text.Append("The message is attached.\r\n");
        }
        else if (returned.Headers is not null)
        {
            text.Append("The headers of the message are attached.\r\n");
        }

        text.Append("\r\n");
        foreach (var recipient in recipients)
        {
            text.Append('<').Append(Sanitize(recipient.Recipient.Address, 512, asciiOnly: false)).Append(">: ");
            if (!recipient.LocalDiagnostic && recipient.RemoteMta is not null && Sanitize(recipient.RemoteMta, 255) is var mta && mta.Length > 0)
            {
                text.Append("host ").Append(mta).Append(" said: ");
            }

            text.Append(recipient.Diagnostic is null ? ActionText(recipient.Action) : Sanitize(recipient.Diagnostic, MaxDiagnosticLength, asciiOnly: false));
            text.Append("\r\n");
        }

        var part = new TextPart("plain");
        part.SetText(Encoding.UTF8, text.ToString());
        part.ContentTransferEncoding = IsAscii(text.ToString()) ? ContentEncoding.SevenBit : ContentEncoding.QuotedPrintable;
        part.ContentDescription = "Notification";
        return part;
    }

    private MessageDeliveryStatus StatusPart(NoticeRequest request, List<NoticeRecipient> recipients)
    {
        var original = request.Original;
        var status = new MessageDeliveryStatus();

        // RFC 3464 2.2: the per-message fields.
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", "dns; " + _options.HostName },
        };
        if (original.EnvelopeId is { Length: > 0 } envid)
        {
            // RFC 3464 2.2.1: the ENVID, decoded from xtext when it was received (printable ASCII only).
            perMessage.Add("Original-Envelope-Id", Sanitize(envid, 100));
        }

        perMessage.Add("Arrival-Date", MailDate.Format(original.ReceivedAt));
        status.StatusGroups.Add(perMessage);

        // RFC 3464 2.3: one group per recipient.
        foreach (var recipient in recipients)
        {
            var group = new HeaderList();
            var r = recipient.Recipient;
            if (r.OriginalRecipient is { Length: > 0 } orcpt)
            {
                var type = r.OriginalRecipientType is { Length: > 0 } t && IsAtom(t) ? t : "rfc822";
                group.Add("Original-Recipient", AddressField(type, orcpt));
            }

            group.Add("Final-Recipient", AddressField("rfc822", r.Address));
            group.Add("Action", ActionText(recipient.Action));
            group.Add("Status", StatusCode(recipient));
            // RFC 3464 2.3.5: the MTA that reported the status; for our own reason that is the Reporting-MTA alone.
            if (!recipient.LocalDiagnostic && recipient.RemoteMta is not null && HostField(recipient.RemoteMta) is { } remote)
            {
                group.Add("Remote-MTA", "dns; " + remote);
            }

            if (recipient.Diagnostic is { Length: > 0 } diagnostic)
            {
                var clean = Sanitize(diagnostic, MaxDiagnosticLength);

                // RFC 3464 2.3.6: "smtp" when the text is an SMTP reply the remote gave; otherwise our own type.
                group.Add("Diagnostic-Code", (!recipient.LocalDiagnostic && IsSmtpReply(clean) ? "smtp; " : "X-Gateway; ") + clean);
            }

            if (recipient.LastAttempt is { } last)
            {
                group.Add("Last-Attempt-Date", MailDate.Format(last));
            }

            if (recipient.Action == DsnAction.Delayed && request.WillRetryUntil is { } until)
            {
                group.Add("Will-Retry-Until", MailDate.Format(until));
            }

            status.StatusGroups.Add(group);
        }

        return status;
    }

    private static MimePart RawPart(string mediaType, string subtype, byte[] content)
    {
        // The original bytes are returned as they are: re-encoding would alter what the sender wants to see.
        return new MimePart(mediaType, subtype)
        {
            Content = new MimeContent(new MemoryStream(content, writable: false), ContentEncoding.Default),
            ContentTransferEncoding = IsAscii(content) ? ContentEncoding.SevenBit : ContentEncoding.EightBit,
        };
    }

    private async ValueTask<ReturnedContent> ReadOriginalAsync(NoticeRequest request, CancellationToken cancellationToken)
    {
        // RFC 3461 4.3: RET=FULL returns the message on failure; RET=HDRS or no RET (our choice) the headers.
        // RFC 8689 5: the content of a REQUIRETLS message is never returned in full, whatever RET said.
        var wantFull = request.Kind == NoticeKind.Failure && request.Original.Return == DsnReturn.Full && !request.Original.RequireTls;
        var limit = wantFull ? Math.Max(_options.MaxReturnedMessageBytes + 1, _options.MaxReturnedHeaderBytes) : _options.MaxReturnedHeaderBytes;
        byte[] buffer;
        int length;
        bool ended;
        try
        {
            var stream = await request.OpenOriginal(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                buffer = new byte[limit];
                length = 0;
                ended = false;
                while (length < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    length += read;
                }
            }
        }
        catch (IOException)
        {
            // The original is gone (deleted or unreadable): the notice is still sent, without the returned part
            // (RFC 3464 2.1: the third part is optional).
            return new ReturnedContent(null, null, null);
        }

        var headerLength = HeaderSectionLength(buffer.AsSpan(0, Math.Min(length, _options.MaxReturnedHeaderBytes)));
        var headers = buffer.AsSpan(0, headerLength).ToArray();
        var messageId = MessageIdOf(headers);
        if (wantFull && ended && length <= _options.MaxReturnedMessageBytes)
        {
            return new ReturnedContent(buffer.AsSpan(0, length).ToArray(), null, messageId);
        }

        return new ReturnedContent(null, headerLength > 0 ? headers : null, messageId);
    }

    // The header lines up to (not including) the empty line; when the section is cut by the limit, up to the last
    // complete line.
    private static int HeaderSectionLength(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            return end + 2;
        }

        if (data.StartsWith("\r\n"u8))
        {
            return 0;
        }

        var lastLine = data.LastIndexOf("\r\n"u8);
        return lastLine < 0 ? 0 : lastLine + 2;
    }

    private static string? MessageIdOf(byte[] headers)
    {
        try
        {
            using var stream = new MemoryStream(headers, writable: false);
            var list = HeaderList.Load(stream);
            var value = list[HeaderId.MessageId];
            return value is null ? null : MimeKit.Utils.MimeUtils.EnumerateReferences(value).FirstOrDefault();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // The spool keeps a quoted local part unquoted ("john doe@example.org"); RFC 5322 3.4.1 needs it quoted in
    // the To field. An address MimeKit still cannot take is left out of the header (the envelope carries it).
    private static InternetAddress ToAddress(string address)
    {
        try
        {
            return new MailboxAddress(string.Empty, address);
        }
        catch (ParseException)
        {
            if (AddrSpec.TrySplit(address, out var local, out var domain) && local.Length > 0)
            {
                try
                {
                    return new MailboxAddress(string.Empty, QuotedString.Quote(local) + "@" + domain);
                }
                catch (ParseException)
                {
                    // Falls through to the group below.
                }
            }

            return new GroupAddress("undisclosed-recipients");
        }
    }

    private MailDirection DirectionOfSender(QueuedEnvelope original)
    {
        var domain = AddrSpec.DomainOf(original.From!);
        if (_options.IsLocalDomain is { } isLocal)
        {
            return isLocal(domain) ? MailDirection.Inbound : MailDirection.Outbound;
        }

        // Without the domain list: mail relayed outbound was sent by one of our clients, mail received inbound by
        // a stranger.
        return original.AuthUser is not null || original.Recipients.Any(r => r.Direction == MailDirection.Outbound)
            ? MailDirection.Inbound
            : MailDirection.Outbound;
    }

    private static string ActionText(DsnAction action) => action switch
    {
        DsnAction.Failed => "failed",
        DsnAction.Delayed => "delayed",
        DsnAction.Delivered => "delivered",
        DsnAction.Relayed => "relayed",
        _ => "expanded",
    };

    // RFC 3464 2.3.4 / RFC 3463 2: class.subject.detail; the class must agree with the action.
    private static string StatusCode(NoticeRecipient recipient)
    {
        var expected = recipient.Action switch
        {
            DsnAction.Failed => 5,
            DsnAction.Delayed => 4,
            _ => 2,
        };
        var valid = EnhancedStatusCode.TryParse(recipient.Status, out var status)
            && (status.Class == expected || (recipient.Action == DsnAction.Failed && status.Class == 4));
        return valid ? recipient.Status : expected.ToString(CultureInfo.InvariantCulture) + ".0.0";
    }

    // RFC 3464 2.3.6: a Diagnostic-Code of type "smtp" is an SMTP reply, starting with its code (RFC 5321 4.2).
    private static bool IsSmtpReply(string text) => ReplyCode.TryParse(text, out _, out _);

    // RFC 3464 2.3.2 address fields: rfc822 for ASCII addresses; RFC 6533 3 "utf-8" with the \x{HEX} escapes for
    // anything else, so the field stays 7-bit.
    private static string AddressField(string type, string address)
    {
        if (IsAscii(address) && string.Equals(type, "rfc822", StringComparison.OrdinalIgnoreCase))
        {
            return "rfc822; " + Sanitize(address, 512);
        }

        if (IsAscii(address))
        {
            return type + "; " + Sanitize(address, 512);
        }

        var builder = new StringBuilder("utf-8; ");
        var count = 0;
        foreach (var rune in address.EnumerateRunes())
        {
            if (++count > 512)
            {
                break;
            }

            if (rune.Value is > 0x20 and < 0x7F and not '\\' and not '+' and not '=')
            {
                builder.Append((char)rune.Value);
            }
            else
            {
                builder.Append("\\x{").Append(rune.Value.ToString("X", CultureInfo.InvariantCulture)).Append('}');
            }
        }

        return builder.ToString();
    }

    private static string? HostField(string host)
    {
        var clean = host.Trim();
        if (clean.Length is 0 or > 255)
        {
            return null;
        }

        foreach (var c in clean)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '-' and not ':' and not '[' and not ']')
            {
                return null;
            }
        }

        return clean;
    }

    private static bool IsAtom(string value) => value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    // One line of text: line breaks and controls from a remote reply become single spaces; length bounded. In
    // header fields (asciiOnly) anything beyond ASCII becomes '?' so the field stays 7-bit.
    internal static string Sanitize(string value, int maxLength, bool asciiOnly = true)
    {
        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        var space = false;
        foreach (var c in value)
        {
            if (builder.Length >= maxLength)
            {
                break;
            }

            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(asciiOnly && c > (char)0x7E ? '?' : c);
        }

        return builder.ToString();
    }

    private static bool IsAscii(string value) => Ascii.IsValid(value);

    private static bool IsAscii(byte[] value) => Ascii.IsValid(value);

    private sealed record ReturnedContent(byte[]? Full, byte[]? Headers, string? MessageId);
}
