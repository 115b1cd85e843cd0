using System.Text;

namespace Gateway.Spam.Tests;

/// <summary>Small RFC 5322 messages built as the bytes a client would send.</summary>
internal static class TestMessages
{
    public static byte[] Plain(string body, string subject = "Lunch on Thursday", string from = "Alice Example <alice@example.org>", string extraHeaders = "") =>
        Encoding.UTF8.GetBytes(
            $"From: {from}\r\nTo: bob@example.net\r\nSubject: {subject}\r\nMessage-ID: <1@example.org>\r\n{extraHeaders}" +
            $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");

    public static byte[] Html(string html, string subject = "News") =>
        Encoding.UTF8.GetBytes(
            $"From: shop@example.com\r\nTo: bob@example.net\r\nSubject: {subject}\r\n" +
            $"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");

    public static byte[] WithAttachment(string fileName, string body = "see attached") =>
        Encoding.UTF8.GetBytes(
            "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n" +
            $"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{fileName}\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n--b--\r\n");

    public static byte[] Base64Text(string text) =>
        Encoding.ASCII.GetBytes(
            "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: encoded\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes(text), Base64FormattingOptions.InsertLineBreaks) + "\r\n");

    public static string Ham(int i) =>
        $"Hi Bob, the meeting about the quarterly budget review moved to room {i}. Please bring the spreadsheet and the notes from last week. Thanks, Alice";

    public static string Spam(int i) =>
        $"CONGRATULATIONS!!! You have WON a FREE prize {i}. Click here now to claim your cash reward, limited offer, act now, no obligation, unsubscribe anytime";
}
