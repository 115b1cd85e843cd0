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
        Assert.Contains("h:mailer:Bulk Sender #.#", names);
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
        Assert.Contains("h:rcvd:hops:1", names);
        Assert.DoesNotContain(names, n => n.StartsWith("hn:x-status", StringComparison.Ordinal) || n.StartsWith("hn:x-keywords", StringComparison.Ordinal));

        // The recipient's own address is the same on all its mail; the sender's is not.
        Assert.DoesNotContain(names, n => n.StartsWith("h:to:addr:", StringComparison.Ordinal) || n.StartsWith("h:to:local:", StringComparison.Ordinal));
        Assert.Contains("h:from:addr:alice@example.org", names);
    }

    [Fact]
    public void Fields_of_final_delivery_and_of_mailbox_programs_are_not_evidence()
    {
        var names = Names(TestMessages.Plain(
            "hello",
            extraHeaders: "Delivery-Date: Tue May 28 02:53:28 2002\r\nX-MIME-Autoconverted: from quoted-printable to 8bit by mx.example.net\r\n"
                + "X-Mozilla-Status: 0001\r\nX-Evolution: 00000001\r\nX-Eudora2Unix: 2002-09-20T15:53:20Z converted\r\n"
                + "X-Sieve: cmu-sieve 2.0\r\nX-Delivered-To: bob@example.net\r\nX-Mail-From: alice@example.org\r\nX-Mailer: Mutt 1.4\r\n"));

        Assert.DoesNotContain(names, n => n.StartsWith("hn:delivery-date", StringComparison.Ordinal) || n.StartsWith("h:delivery-date", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("autoconverted", StringComparison.Ordinal) || n.Contains("mozilla", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("evolution", StringComparison.Ordinal) || n.Contains("eudora", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("hn:x-sieve", StringComparison.Ordinal) || n.StartsWith("hn:x-delivered-to", StringComparison.Ordinal) || n.StartsWith("hn:x-mail-from", StringComparison.Ordinal));
        // The sender's own fields stay evidence.
        Assert.Contains("hn:x-mailer", names);
    }

    [Fact]
    public void Numbers_are_learned_by_shape_so_a_new_price_is_a_known_feature()
    {
        var first = Names(TestMessages.Plain("only $1,999 today, call 555-0199"));
        var second = Names(TestMessages.Plain("only $2,499 today, call 555-0123"));

        Assert.Contains("w:$#,###", first);
        Assert.Contains("w:2:only $#,###", first);
        Assert.Equal(first.Where(n => n.StartsWith("w:", StringComparison.Ordinal)), second.Where(n => n.StartsWith("w:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Mailing_list_fields_count_as_one_fact()
    {
        var names = Names(TestMessages.Plain(
            "hello",
            extraHeaders: "List-Help: <mailto:talk-request@lists.example?subject=help>\r\nList-Unsubscribe: <mailto:talk-request@lists.example?subject=unsubscribe>\r\n"));

        Assert.Contains("hn:list-*", names);
        Assert.DoesNotContain(names, n => n.StartsWith("hn:list-help", StringComparison.Ordinal) || n.StartsWith("h:list-unsubscribe", StringComparison.Ordinal));
        Assert.Single(names, n => n.StartsWith("h:list-*:a:", StringComparison.Ordinal));
    }

    [Fact]
    public void Alignment_compares_the_from_domain_with_the_message_id_and_the_links()
    {
        var aligned = Names(TestMessages.Plain("see https://www.example.org/news", from: "News <news@mail.example.org>"));
        var forged = Names(TestMessages.Plain("see http://cheap.example.biz/x", from: "Bank <alerts@bank.example>"));

        Assert.Contains("al:mid:same", aligned);
        Assert.Contains("al:links:all", aligned);
        Assert.Contains("al:mid:other", forged);
        Assert.Contains("al:links:none", forged);
    }

    [Fact]
    public void Each_text_part_says_how_it_was_encoded()
    {
        Assert.Contains("st:part:text/plain base64 utf-8", Names(TestMessages.Base64Text("hello there")));
    }

    [Fact]
    public void Version_numbers_in_a_received_field_are_not_read_as_addresses()
    {
        var names = Names(TestMessages.Plain(
            "hello", extraHeaders: "Received: from relay.sender.example (Mailer 1.0) by mx.example.net with SMTP\r\n"));

        Assert.DoesNotContain(names, n => n.StartsWith("h:rcvd:net:", StringComparison.Ordinal));
        Assert.Contains("h:rcvd:dom:sender.example", names);
    }

    [Fact]
    public void Writing_systems_beyond_ascii_are_named_with_their_share_of_the_letters()
    {
        var korean = Names(TestMessages.Plain("안녕하세요 특별 할인 행사 mail", subject: "특가"));
        var english = Names(TestMessages.Plain("plain english text, café aside"));

        Assert.Contains("st:script:hangul:most", korean);
        Assert.Contains("st:script:s:hangul:most", korean);
        Assert.Contains("st:script:latin-ext:some", english);
        Assert.DoesNotContain(english, n => n.StartsWith("st:script:hangul", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Names(byte[] message) =>
        MessageFeatures.Extract(MessageScanner.Scan(message, ScanLimits.Default, CancellationToken.None), keepNames: true).Names;
}
