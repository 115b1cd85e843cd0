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
}
