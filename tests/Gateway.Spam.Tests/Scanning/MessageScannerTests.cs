using System.Text;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class MessageScannerTests
{
    private static ScannedMessage Scan(string message) =>
        MessageScanner.Scan(Encoding.ASCII.GetBytes(message), ScanLimits.Default, CancellationToken.None);

    [Fact]
    public void A_body_marked_as_an_attachment_is_read_when_it_is_the_whole_message()
    {
        var scanned = Scan("From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
            + "Content-Disposition: attachment; filename=\"note.txt\"\r\n\r\nCHEAP PILLS shipped overnight\r\n");

        Assert.Contains("CHEAP PILLS shipped overnight", scanned.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_file_attached_beside_the_body_is_not_read_as_the_body()
    {
        var scanned = Scan("From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nthe body\r\n"
            + "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"log.txt\"\r\n\r\nattached log lines\r\n--b--\r\n");

        Assert.Contains("the body", scanned.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("attached log lines", scanned.BodyText, StringComparison.Ordinal);
    }
}
