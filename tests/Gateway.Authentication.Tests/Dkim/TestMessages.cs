using System.Text;
using MimeKit;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>Raw messages as they arrive on the wire (CRLF), and helpers to parse and alter them.</summary>
internal static class TestMessages
{
    public const string Plain =
        "From: Alice <alice@example.com>\r\n" +
        "To: bob@example.net\r\n" +
        "Subject: Hello  there\r\n" +
        "  folded subject line\r\n" +
        "Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n" +
        "Message-ID: <1@example.com>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "Hello Bob,\r\n" +
        "\r\n" +
        "this is   a test.  \r\n" +
        "\r\n" +
        "\r\n";

    public const string Multipart =
        "From: Alice <alice@example.com>\r\n" +
        "To: bob@example.net, carol@example.org\r\n" +
        "Cc: dave@example.net\r\n" +
        "Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=\r\n" +
        "Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n" +
        "Message-ID: <2@example.com>\r\n" +
        "X-Mailer:    odd   spacing\t\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
        "\r\n" +
        "preamble text\r\n" +
        "--b1\r\n" +
        "Content-Type: text/plain; charset=iso-8859-1\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Caf=E9 \t with trailing space   \r\n" +
        "--b1\r\n" +
        "Content-Type: application/octet-stream\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n" +
        "--b1--\r\n" +
        "epilogue\r\n";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static MimeMessage Parse(byte[] raw) => MimeMessage.Load(new MemoryStream(raw));

    public static MimeMessage Parse(string headerBlock, byte[] raw) => Parse(Concat(headerBlock, raw));

    public static byte[] Concat(string headerBlock, byte[] raw)
    {
        var prefix = Encoding.ASCII.GetBytes(headerBlock);
        var result = new byte[prefix.Length + raw.Length];
        prefix.CopyTo(result, 0);
        raw.CopyTo(result, prefix.Length);
        return result;
    }

    public static byte[] Replace(byte[] raw, string from, string to)
    {
        var text = Encoding.UTF8.GetString(raw);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }
}
