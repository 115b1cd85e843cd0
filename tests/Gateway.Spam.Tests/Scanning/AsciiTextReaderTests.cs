using System.Text;
using Gateway.Spam.Scanning;
using MimeKit;

namespace Gateway.Spam.Tests.Scanning;

public sealed class AsciiTextReaderTests
{
    private const string Head = "From: a@example.org\r\nTo: b@example.net\r\nSubject: t\r\nMIME-Version: 1.0\r\n";

    public static TheoryData<string, string> ReadDirectly => new()
    {
        { "Content-Type: text/plain; charset=us-ascii\r\n", "line one\r\nline two\r\n" },
        { "Content-Type: text/plain\r\n", "bare\rCR\r\r\nand CR CR LF\r\n" },
        { "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n", "ends in a CR\r" },
        { "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 7bit\r\n", "LF\nonly\n\nlines" },
        { "Content-Type: text/html; charset=utf-8\r\n", "<p>Hello</p>\r\n<meta charset=\"utf-16\">\r\n" },
        { "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: binary\r\n", "x" },
        { "", "no Content-Type at all\r\n\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(ReadDirectly))]
    public void Reads_undecoded_ascii_text_as_mimekit_does(string fields, string body)
    {
        var (part, source, stream) = Parse(Head + fields + "\r\n" + body);

        Assert.True(AsciiTextReader.TryRead(part, source, stream, out var text));
        Assert.Equal(part.Text, text);
    }

    public static TheoryData<string, string> LeftToMimeKit => new()
    {
        { "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n", "aGVsbG8gd29ybGQ=\r\n" },
        { "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n", "caf=C3=A9\r\n" },
        { "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n", "caf\u00e9\r\n" },
        { "Content-Type: text/plain; charset=utf-16\r\n", "abcd\r\n" },
        { "Content-Type: text/html\r\n", "<meta charset=\"utf-16\"><p>no charset declared</p>\r\n" },
    };

    [Theory]
    [MemberData(nameof(LeftToMimeKit))]
    public void Leaves_decoding_charsets_and_undeclared_html_to_mimekit(string fields, string body)
    {
        var (part, source, stream) = Parse(Head + fields + "\r\n" + body);

        Assert.False(AsciiTextReader.TryRead(part, source, stream, out _));
    }

    [Fact]
    public void Reads_the_parts_of_a_multipart_and_of_an_attached_message_each_from_its_own_octets()
    {
        var message = Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\npart\r\n"
            + "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner\r\ntext\r\n--b--\r\n";
        var bytes = Encoding.ASCII.GetBytes(message);
        using var stream = new MemoryStream(bytes, writable: false);
        var parsed = new MimeParser(stream, MimeFormat.Entity, persistent: true).ParseMessage();

        var parts = parsed.BodyParts.OfType<TextPart>().Concat(parsed.BodyParts.OfType<MessagePart>().Select(p => Assert.IsType<TextPart>(p.Message!.Body))).ToList();
        Assert.Equal(2, parts.Count);
        foreach (var part in parts)
        {
            Assert.True(AsciiTextReader.TryRead(part, bytes, stream, out var text));
            Assert.Equal(part.Text, text);
        }
    }

    [Fact]
    public void An_empty_part_reads_as_mimekit_reads_it()
    {
        var (part, source, stream) = Parse(Head + "Content-Type: text/plain\r\n\r\n");

        var text = AsciiTextReader.TryRead(part, source, stream, out var read) ? read : part.Text;

        Assert.Equal("", text);
    }

    [Fact]
    public void A_part_parsed_from_another_stream_is_left_to_mimekit()
    {
        var (part, source, _) = Parse(Head + "Content-Type: text/plain\r\n\r\nbody\r\n");

        Assert.False(AsciiTextReader.TryRead(part, source, new MemoryStream(source.ToArray()), out _));
    }

    private static (TextPart Part, ReadOnlyMemory<byte> Source, Stream Stream) Parse(string message)
    {
        var bytes = Encoding.Latin1.GetBytes(message.Contains('\u00e9') ? Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(message)) : message);
        var stream = new MemoryStream(bytes, writable: false);
        var parsed = new MimeParser(stream, MimeFormat.Entity, persistent: true).ParseMessage();
        return (Assert.IsType<TextPart>(parsed.Body), bytes, stream);
    }
}
