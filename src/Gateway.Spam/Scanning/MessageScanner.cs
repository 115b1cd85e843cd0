using System.Runtime.InteropServices;
using MimeKit;

namespace Gateway.Spam.Scanning;

/// <summary>
/// The one bounded parse behind a verdict: the prefix of the message allowed by <see cref="ScanLimits"/> is parsed with
/// MimeKit (nesting capped by <see cref="ParserOptions.MaxMimeDepth"/>), and the MIME tree is walked without recursion,
/// decoding only text parts, until the part or text budget is spent. A truncated or malformed message still yields a
/// scan of what was readable: spam is often malformed on purpose, and a parse error must not become a pass.
/// </summary>
internal static class MessageScanner
{
    /// <summary>A parser for <see cref="Scan"/> to reuse: its read buffers are most of what a parse allocates.</summary>
    public static MimeParser CreateParser() => new(Stream.Null, MimeFormat.Entity);

    /// <summary>Points a parser used by <see cref="Scan"/> away from the message, so that keeping it keeps nothing else.</summary>
    public static void Release(MimeParser parser) => parser.SetStream(Stream.Null, MimeFormat.Entity);

    public static ScannedMessage Scan(ReadOnlyMemory<byte> message, ScanLimits limits, CancellationToken cancellationToken, MimeParser? parser = null)
    {
        var scanned = new ScannedMessage { Truncated = message.Length > limits.MaxScanBytes };
        var prefix = message[..Math.Min(message.Length, limits.MaxScanBytes)];
        scanned.RawBytes = prefix;

        var options = new ParserOptions { MaxMimeDepth = limits.MaxDepth };
        var source = SkipEnvelopeLine(prefix);
        using var stream = OpenRead(source);

        // Persistent: parts refer to the message in memory instead of each being copied out of it; every part is read
        // before this method returns and the stream is closed.
        parser ??= CreateParser();
        parser.Options = options;
        parser.SetStream(stream, MimeFormat.Entity, persistent: true);
        MimeMessage parsed;
        try
        {
            parsed = parser.ParseMessage(cancellationToken);
        }
        catch (FormatException)
        {
            // Not even a header section: the raw text still feeds raw rules and the GTUBE check.
            return scanned;
        }

        // MimeKit keeps the top-level Content-* fields with the body entity; to rules they are message fields.
        foreach (var header in parsed.Headers.Concat(parsed.Body?.Headers ?? []))
        {
            scanned.Headers.Add(new HeaderText(header.Field, header.Value));
        }

        scanned.Subject = parsed.Subject ?? "";
        scanned.RecipientCount = parsed.To.Mailboxes.Count() + parsed.Cc.Mailboxes.Count();
        var text = new BodyTextBuilder();
        Walk(parsed.Body, (source, stream), scanned, text, limits, cancellationToken);
        scanned.BodyText = text.ToString();
        return scanned;
    }

    /// <summary>
    /// A message saved from a mailbox file may start with the mbox "From sender date" line, which is not a header field
    /// and would end the header section at once; training sets often come that way.
    /// </summary>
    private static ReadOnlyMemory<byte> SkipEnvelopeLine(ReadOnlyMemory<byte> message)
    {
        if (!message.Span.StartsWith("From "u8))
        {
            return message;
        }

        var newline = message.Span.IndexOf((byte)'\n');
        return newline < 0 ? message : message[(newline + 1)..];
    }

    private static MemoryStream OpenRead(ReadOnlyMemory<byte> prefix) =>
        MemoryMarshal.TryGetArray(prefix, out var segment) && segment.Array is { } array
            ? new MemoryStream(array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(prefix.ToArray(), writable: false);

    private static void Walk(MimeEntity? root, (ReadOnlyMemory<byte> Octets, Stream Stream) source, ScannedMessage scanned, BodyTextBuilder text, ScanLimits limits, CancellationToken cancellationToken)
    {
        var pending = new Stack<(MimeEntity Entity, int Depth)>();
        if (root is not null)
        {
            pending.Push((root, 0));
        }

        while (pending.TryPop(out var item))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (scanned.PartCount >= limits.MaxParts || item.Depth > limits.MaxDepth)
            {
                scanned.Truncated = true;
                continue;
            }

            scanned.PartCount++;
            switch (item.Entity)
            {
                case Multipart multipart:
                    // Pushed in reverse so that parts are visited in message order.
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        pending.Push((multipart[i], item.Depth + 1));
                    }

                    break;
                case MessagePart { Message.Body: { } body }:
                    pending.Push((body, item.Depth + 1));
                    break;
                // A text part marked as an attachment is read too when it is the whole message: mail programs show
                // such a body inline, and the marking would otherwise hide it from scoring.
                case TextPart textPart when (!textPart.IsAttachment || item.Depth == 0) && (textPart.IsPlain || textPart.IsHtml):
                    AppendText(textPart, source, scanned, text, limits);
                    break;
                case MimePart part when part.ContentType.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase):
                    // The parser stopped at its depth limit and kept the rest as one opaque part.
                    scanned.Truncated = true;
                    break;
                case MimePart part when part.FileName is { Length: > 0 } name:
                    scanned.AttachmentNames.Add(name);
                    break;
                default:
                    break;
            }
        }
    }

    private static void AppendText(TextPart part, (ReadOnlyMemory<byte> Octets, Stream Stream) source, ScannedMessage scanned, BodyTextBuilder text, ScanLimits limits)
    {
        var room = limits.MaxTextChars - text.Length;
        if (room <= 0)
        {
            scanned.Truncated = true;
            return;
        }

        if (!AsciiTextReader.TryRead(part, source.Octets, source.Stream, out var content))
        {
            content = part.Text ?? "";
        }

        if (part.ContentType.Charset is null && !System.Text.Ascii.IsValid(content))
        {
            // Eight-bit text with no charset declared: read as Latin-1 it is noise, and no legitimate mail program sends it.
            scanned.UndeclaredEightBit = true;
        }

        scanned.TextPartShapes.Add(string.Join(' ', part.ContentType.MimeType.ToLowerInvariant(),
            part.ContentTransferEncoding.ToString().ToLowerInvariant(), (part.ContentType.Charset ?? "none").ToLowerInvariant()));
        if (part.IsHtml)
        {
            scanned.HasHtml = true;
            content = HtmlReducer.Reduce(content, scanned);
        }
        else
        {
            scanned.HasPlainText = true;
            LinkFinder.FindInText(content, scanned.Links);
        }

        text.Append(content, room);
    }
}
