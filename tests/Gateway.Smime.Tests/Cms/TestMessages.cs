using MimeKit;

namespace Gateway.Smime.Tests.Cms;

public static class TestMessages
{
    /// <summary>A message with an 8-bit text part and a binary attachment: what must be re-encoded before signing.</summary>
    public static MimeMessage EightBitWithAttachment(string from = "alice@example.com", string to = "bob@example.org")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Quarterly figures";
        var text = new TextPart("plain") { Text = "Grüße aus Zürich — the figures are attached.\nLine two with trailing space \nFrom the start of a line.\n" };
        text.ContentTransferEncoding = ContentEncoding.EightBit;
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(Enumerable.Range(0, 600).Select(i => (byte)(i * 7)).ToArray())),
            ContentTransferEncoding = ContentEncoding.Binary,
            FileName = "figures.bin",
        };
        message.Body = new Multipart("mixed") { text, attachment };
        return message;
    }

    public static MimeMessage Plain(string from = "alice@example.com", string to = "bob@example.org", string text = "Hello Bob.\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Hello";
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    public static byte[] ToWireBytes(MimeMessage message)
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        message.WriteTo(format, output);
        return output.ToArray();
    }
}
