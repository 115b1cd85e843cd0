using Gateway.Spam.Features;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Features;

public sealed class MessageFeaturesTests
{
    [Fact]
    public void Headers_words_links_and_structure_become_prefixed_features()
    {
        var message = TestMessages.Plain(
            "Visit http://deals.example.com/offer/today for GREAT savings",
            subject: "SAVE BIG TODAY",
            from: "\"support@bank.example\" <x123@mailer.example>",
            extraHeaders: "X-Mailer: Bulk Sender 2.1\r\nReceived: from relay.mailer.example (relay.mailer.example [198.51.100.7]) by mx.example.net with ESMTP id 42\r\nX-Spam-Status: No\r\n");

        var names = MessageFeatures.Extract(MessageScanner.Scan(message, ScanLimits.Default, CancellationToken.None), keepNames: true).Names;

        Assert.Contains("h:from:dom:mailer.example", names);
        Assert.Contains("h:from:name-at:other", names);
        Assert.Contains("h:mailer:Bulk Sender 2.1", names);
        Assert.Contains("h:rcvd:net:198.51.100", names);
        Assert.Contains("h:rcvd:w:ESMTP", names);
        Assert.Contains("h:ct:charset:utf-8", names);
        Assert.Contains("s:save", names);
        Assert.Contains("s:c:SAVE", names);
        Assert.Contains("st:subject-all-caps", names);
        Assert.Contains("w:great", names);
        Assert.Contains("w:c:GREAT", names);
        Assert.Contains("w:2:great savings", names);
        Assert.Contains("u:host:deals.example.com", names);
        Assert.Contains("u:dom:example.com", names);
        Assert.Contains("u:path:offer", names);
        Assert.Contains("st:text:plain-only", names);
        // Filters' own fields are not evidence, and dates are not either.
        Assert.DoesNotContain(names, n => n.StartsWith("hn:x-spam", StringComparison.Ordinal));
    }

    [Fact]
    public void What_the_recipient_side_added_is_not_evidence()
    {
        var message = TestMessages.Plain(
            "hello",
            extraHeaders: "Received: from localhost (localhost [127.0.0.1]) by mail.example.net (Postfix) with ESMTP id 1\r\n"
                + "Received: from mail.example.net by localhost with IMAP (fetchmail-5.9.0)\r\n"
                + "Received: from relay.sender.example (relay.sender.example [198.51.100.7]) by mx.recipient.example with ESMTPA id 42\r\n"
                + "X-Status: RO\r\nX-Keywords: Junk\r\n");

        var names = MessageFeatures.Extract(MessageScanner.Scan(message, ScanLimits.Default, CancellationToken.None), keepNames: true).Names;

        // The sending side of the transfer is evidence; the receiving MX, local hops and mailbox flags are not.
        Assert.Contains("h:rcvd:dom:sender.example", names);
        Assert.Contains("h:rcvd:net:198.51.100", names);
        Assert.Contains("h:rcvd:w:ESMTPA", names);
        Assert.DoesNotContain("h:rcvd:dom:recipient.example", names);
        Assert.DoesNotContain("h:rcvd:dom:example.net", names);
        Assert.DoesNotContain("h:rcvd:w:IMAP", names);
        Assert.DoesNotContain(names, n => n.StartsWith("hn:x-status", StringComparison.Ordinal) || n.StartsWith("hn:x-keywords", StringComparison.Ordinal));

        // The recipient's own address is the same on all its mail; the sender's is not.
        Assert.DoesNotContain(names, n => n.StartsWith("h:to:addr:", StringComparison.Ordinal) || n.StartsWith("h:to:local:", StringComparison.Ordinal));
        Assert.Contains("h:from:addr:alice@example.org", names);
    }
}
