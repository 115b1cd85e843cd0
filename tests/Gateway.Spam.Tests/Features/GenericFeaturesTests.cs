using System.Text;
using Gateway.Spam.Features;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Features;

/// <summary>Features that describe how a message is made rather than what it says.</summary>
public sealed class GenericFeaturesTests
{
    [Fact]
    public void Html_tricks_become_bucketed_features_only_when_used()
    {
        var tricky = Names(TestMessages.Html(
            "<p>Buy vi<!-- x -->agra <font color=white>hidden words</font> <img src=\"http://img.example/a.gif\"></p>" +
            "<a href=\"http://203.0.113.9/\">http://www.bank.example/</a>"));
        var plain = Names(TestMessages.Html("<p>Dear reader, this week's issue covers the garden show and the new library hours.</p>"));

        Assert.Contains("ht:comment-split:1", tricky);
        Assert.Contains("ht:invisible:1", tricky);
        Assert.Contains("ht:misleading-link:1", tricky);
        Assert.Contains("ht:img:1", tricky);
        Assert.Contains("ht:img-little-text", tricky);
        Assert.Contains("ht:font:1", tricky);
        Assert.DoesNotContain(plain, n => n.StartsWith("ht:comment-split:", StringComparison.Ordinal) || n.StartsWith("ht:invisible:", StringComparison.Ordinal));
        Assert.Contains("ht:img:0", plain);
        Assert.DoesNotContain(Names(TestMessages.Plain("plain text")), n => n.StartsWith("ht:", StringComparison.Ordinal));
    }

    [Fact]
    public void Link_disguises_and_the_number_of_hosts_are_features()
    {
        var names = Names(TestMessages.Plain(
            "see http://bank.example@203.0.113.9/login and http://a.example:8080/x and http://b.example/x and http://b.example/y"));

        Assert.Contains("u:disguise:userinfo", names);
        Assert.Contains("u:disguise:port", names);
        Assert.DoesNotContain("u:disguise:redirect", names);
        Assert.Contains("u:hosts:2-4", names);
        Assert.Contains("u:count:2-4", names);
    }

    [Fact]
    public void Style_counts_capitals_exclamations_money_and_percentages()
    {
        var pitch = Names(TestMessages.Plain(
            "EARN $5,000 A WEEK!!! SAVE 50% NOW, ONLY $19.99 TODAY, 100% GUARANTEED. To be removed from this list reply with REMOVE.",
            subject: "Save $$$ now!"));
        var note = Names(TestMessages.Plain("Hi Bob, the meeting moved to room four on Thursday afternoon. See you there, Alice"));

        Assert.Contains("sy:caps:40+", pitch);
        Assert.Contains("sy:excl:2-4", pitch);
        Assert.Contains("sy:money:2-4", pitch);
        Assert.Contains("sy:percent:2-4", pitch);
        Assert.Contains("sy:removal-at-end", pitch);
        Assert.Contains("sy:s:excl", pitch);
        Assert.Contains("sy:s:money", pitch);
        Assert.Contains("sy:caps:5-9", note);
        Assert.Contains("sy:excl:0", note);
        Assert.DoesNotContain("sy:removal-at-end", note);
        Assert.DoesNotContain(note, n => n.StartsWith("sy:s:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_subject_padded_with_spaces_before_its_tail_is_a_feature()
    {
        Assert.Contains("sy:s:padded", Names(TestMessages.Plain("hi", subject: "Your account          84721")));
        Assert.DoesNotContain("sy:s:padded", Names(TestMessages.Plain("hi", subject: "Your account 84721   ")));
    }

    [Fact]
    public void Missing_date_message_id_and_recipient_fields_are_features()
    {
        var names = Names(Encoding.ASCII.GetBytes("From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n"));

        Assert.Contains("hs:date:none", names);
        Assert.Contains("hs:mid:none", names);
        Assert.Contains("hs:to:none", names);
    }

    [Fact]
    public void Mail_addressed_to_its_own_sender_is_a_feature()
    {
        var toSelf = Names(Encoding.ASCII.GetBytes("From: \"\" <deals07@example.org>\r\nTo: \"OptinList\" <Deals07@example.org>\r\nSubject: hi\r\n\r\nhello\r\n"));

        Assert.Contains("hs:to:from", toSelf);
        Assert.DoesNotContain("hs:to:from", Names(TestMessages.Plain("hello")));
    }

    [Fact]
    public void The_date_is_described_by_its_layout_and_whether_it_can_be_read()
    {
        var written = Names(TestMessages.Plain("hello", extraHeaders: "Date: Sat, 24 Aug 2002 11:00:00 +0000\r\n"));
        var forged = Names(TestMessages.Plain("hello", extraHeaders: "Date: whenever you like\r\n"));

        Assert.Contains("hs:date:shape:Aa, d Aa d d:d:d +d", written);
        Assert.DoesNotContain("hs:date:unreadable", written);
        Assert.Contains("hs:date:unreadable", forged);
        Assert.DoesNotContain("hs:date:none", forged);
    }

    [Fact]
    public void Message_id_is_described_by_its_layout()
    {
        var names = Names(TestMessages.Plain("hello"));

        Assert.Contains("hs:mid:shape:d", names);
        Assert.DoesNotContain("hs:mid:unbracketed", names);
    }

    [Fact]
    public void A_reply_to_elsewhere_than_the_sender_is_a_feature()
    {
        var elsewhere = Names(TestMessages.Plain("hi", from: "Bank <alerts@bank.example>", extraHeaders: "Reply-To: collect@other.example\r\n"));
        var sameDomain = Names(TestMessages.Plain("hi", from: "Bank <alerts@bank.example>", extraHeaders: "Reply-To: help@mail.bank.example\r\n"));

        Assert.Contains("hs:reply-to:other", elsewhere);
        Assert.Contains("hs:reply-to:same-domain", sameDomain);
        Assert.DoesNotContain(Names(TestMessages.Plain("hi")), n => n.StartsWith("hs:reply-to:", StringComparison.Ordinal));
    }

    [Fact]
    public void Encoded_word_charsets_of_the_header_are_features()
    {
        var names = Names(TestMessages.Plain("hi", subject: "=?GB2312?B?0rvN+KGw?= and =?utf-8*en?q?caf=C3=A9?="));

        Assert.Contains("h:ew:gb2312:B", names);
        Assert.Contains("h:ew:utf-8:Q", names);
        Assert.DoesNotContain(Names(TestMessages.Plain("quoted =?koi8-r?B?0rvN?= in the body")), n => n.StartsWith("h:ew:", StringComparison.Ordinal));
    }

    [Fact]
    public void Eight_bit_text_without_a_charset_is_a_feature()
    {
        var undeclared = Encoding.Latin1.GetBytes(
            "From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n\u00b4\u00f3\u00bc\u00d2\u00ba\u00c3\r\n");

        Assert.Contains("st:8bit-undeclared", Names(undeclared));
        Assert.DoesNotContain("st:8bit-undeclared", Names(TestMessages.Plain("café au lait")));
    }

    [Fact]
    public void A_message_id_written_by_a_relay_names_no_domain_and_no_layout()
    {
        const string Hop = "Received: from pc7 (dsl-7.isp.example [198.51.100.7]) by relay.isp.example (8.11.6/8.11.6) with SMTP id g8QB8Q\r\n";
        var relayed = Names(Encoding.ASCII.GetBytes(
            Hop + "Message-Id: <200209261108.g8QB8Q@relay.isp.example>\r\nFrom: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n"));
        var written = Names(Encoding.ASCII.GetBytes(
            Hop + "Message-Id: <20020926.1108@example.org>\r\nFrom: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n"));

        Assert.Contains("hs:mid:by-relay", relayed);
        Assert.DoesNotContain("h:mid:relay.isp.example", relayed);
        Assert.DoesNotContain(relayed, n => n.StartsWith("hs:mid:shape:", StringComparison.Ordinal));
        Assert.DoesNotContain("hs:mid:by-relay", written);
        Assert.Contains("h:mid:example.org", written);
        Assert.Contains("hs:mid:shape:d.d", written);
    }

    [Fact]
    public void Only_the_first_received_fields_are_searched_for_the_relay_that_wrote_the_id()
    {
        var padding = string.Concat(Enumerable.Repeat("Received: from a.example (a.example [198.51.100.1]) by b.example with SMTP\r\n", 40));
        var names = Names(Encoding.ASCII.GetBytes(
            padding + "Received: from pc7 by relay.isp.example with SMTP\r\nMessage-Id: <1.2@relay.isp.example>\r\nFrom: a@example.org\r\n\r\nhi\r\n"));

        Assert.DoesNotContain("hs:mid:by-relay", names);
        Assert.Contains("h:mid:relay.isp.example", names);
    }

    [Fact]
    public void How_a_sending_host_presents_itself_is_a_feature_of_its_hop()
    {
        var pool = Names(TestMessages.Plain("hi", extraHeaders:
            "Received: from host213-122-181-128.in-addr.isp.example ([213.122.181.128] helo=Aromist) by mx.example.net with esmtp\r\n"));
        var named = Names(TestMessages.Plain("hi", extraHeaders:
            "Received: from mail.sender.example (mail.sender.example [198.51.100.7]) by mx.example.net with ESMTP\r\n"));
        var unnamed = Names(TestMessages.Plain("hi", extraHeaders:
            "Received: from [198.51.100.9] (unknown [198.51.100.9]) by mx.example.net with SMTP\r\n"));

        Assert.Contains("h:rcvd:pool", pool);
        Assert.Contains("h:rcvd:rdns:none", pool);
        Assert.Contains("h:rcvd:helo:name", named);
        Assert.Contains("h:rcvd:rdns:same", named);
        Assert.DoesNotContain("h:rcvd:pool", named);
        var handedIn = Names(TestMessages.Plain("hi", extraHeaders: "Received: (qmail 5065 invoked by uid 507); 2 Jan 2002 18:55:00 -0000\r\n"));

        Assert.Contains("h:rcvd:helo:local", handedIn);
        Assert.DoesNotContain(handedIn, n => n.StartsWith("h:rcvd:rdns:", StringComparison.Ordinal));
        Assert.Contains("h:rcvd:helo:ip", unnamed);
        Assert.Contains("h:rcvd:rdns:unknown", unnamed);
        Assert.DoesNotContain("h:rcvd:pool", unnamed);
    }

    [Fact]
    public void A_from_domain_among_the_relays_is_a_feature()
    {
        var own = Names(TestMessages.Plain("hi", from: "Shop <news@shop.example>", extraHeaders:
            "Received: from out2.mail.shop.example (out2.mail.shop.example [198.51.100.7]) by mx.example.net with ESMTP\r\n"));
        var stranger = Names(TestMessages.Plain("hi", from: "Bank <alerts@bank.example>", extraHeaders:
            "Received: from pc7 (dsl-7-1-2.isp.example [198.51.100.7]) by mx.example.net with SMTP\r\n"));

        Assert.Contains("al:rcvd:same", own);
        Assert.Contains("al:rcvd:other", stranger);
    }

    private static IReadOnlyList<string> Names(byte[] message) =>
        MessageFeatures.Extract(MessageScanner.Scan(message, ScanLimits.Default, CancellationToken.None), keepNames: true).Names;
}
