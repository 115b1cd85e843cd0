using Gateway.Abstractions;
using Gateway.Queue.Headers;

namespace Gateway.Queue.Tests.Headers;

public sealed class ReceivedHeaderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 7, 5, 9, TimeSpan.FromHours(-5));

    private static QueuedEnvelope Envelope(params string[] recipients) => new()
    {
        QueueId = "0123456789abcdef",
        ReceivedAt = At,
        Origin = "smtp",
        Greeting = GreetingKind.Ehlo,
        Helo = "mail.example.org",
        ClientIp = "192.0.2.1",
        From = "sender@example.org",
        Recipients = recipients.Select(r => new QueuedRecipient(r, MailDirection.Inbound, DsnNotify.None, null, null)).ToList(),
    };

    private static string Unfold(string header) => header.Replace("\r\n\t", " ", StringComparison.Ordinal);

    private static void AssertWellFormed(string header)
    {
        Assert.StartsWith("Received: ", header, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", header, StringComparison.Ordinal);
        var lines = header[..^2].Split("\r\n");
        Assert.All(lines, line => Assert.True(line.Length <= 78, $"line too long: {line}"));
        Assert.All(lines.Skip(1), line => Assert.StartsWith("\t", line, StringComparison.Ordinal));
        Assert.DoesNotContain('\n', header[..^2].Replace("\r\n\t", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain('\r', header[..^2].Replace("\r\n\t", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void Builds_the_rfc5321_trace_line_for_a_single_recipient()
    {
        var header = ReceivedHeader.Build(Envelope("alice@example.test"), "gw.example.test", At);

        AssertWellFormed(header);
        Assert.Equal(
            "Received: from mail.example.org ([192.0.2.1]) by gw.example.test (Gateway) with ESMTP "
            + "id 0123456789abcdef for <alice@example.test>; Tue, 3 Nov 2026 07:05:09 -0500",
            Unfold(header)[..^2]);
    }

    [Fact]
    public void Omits_the_for_clause_with_several_recipients()
    {
        var header = ReceivedHeader.Build(Envelope("a@example.test", "b@example.test"), "gw.example.test", At);

        AssertWellFormed(header);
        Assert.DoesNotContain(" for ", Unfold(header), StringComparison.Ordinal);
        Assert.Contains("id 0123456789abcdef; Tue, 3 Nov 2026", Unfold(header), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, false, "ESMTP")]
    [InlineData(true, false, false, "ESMTPS")]
    [InlineData(false, true, false, "ESMTPA")]
    [InlineData(true, true, false, "ESMTPSA")]
    [InlineData(false, false, true, "UTF8SMTP")]
    [InlineData(true, false, true, "UTF8SMTPS")]
    [InlineData(false, true, true, "UTF8SMTPA")]
    [InlineData(true, true, true, "UTF8SMTPSA")]
    public void Names_the_protocol_per_rfc3848_and_rfc6531(bool tls, bool auth, bool utf8, string expected)
    {
        var envelope = Envelope("alice@example.test") with
        {
            TlsProtocol = tls ? "Tls13" : null,
            TlsCipher = tls ? "TLS_AES_256_GCM_SHA384" : null,
            AuthUser = auth ? "bob" : null,
            SmtpUtf8 = utf8,
        };

        var header = Unfold(ReceivedHeader.Build(envelope, "gw.example.test", At));

        Assert.Contains(" with " + expected + " ", header, StringComparison.Ordinal);
    }

    [Fact]
    public void A_helo_client_gets_plain_smtp_and_an_ehlo_client_esmtp()
    {
        var helo = Unfold(ReceivedHeader.Build(Envelope("a@example.test") with { Greeting = GreetingKind.Helo }, "gw.example.test", At));
        var ehlo = Unfold(ReceivedHeader.Build(Envelope("a@example.test") with { Greeting = GreetingKind.Ehlo }, "gw.example.test", At));

        Assert.Contains(" with SMTP id ", helo, StringComparison.Ordinal);
        Assert.Contains(" with ESMTP id ", ehlo, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_the_tls_version_and_cipher()
    {
        var envelope = Envelope("alice@example.test") with { TlsProtocol = "Tls12", TlsCipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" };

        var header = ReceivedHeader.Build(envelope, "gw.example.test", At);

        AssertWellFormed(header);
        Assert.Contains("with ESMTPS (using TLSv1.2 with cipher TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id", Unfold(header), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:192.0.2.7", "[192.0.2.7]")]
    [InlineData("2001:db8::1", "[IPv6:2001:db8::1]")]
    [InlineData("fe80::1%2", "[IPv6:fe80::1]")]
    public void Writes_the_client_address_as_an_address_literal(string ip, string literal)
    {
        var header = Unfold(ReceivedHeader.Build(Envelope("alice@example.test") with { ClientIp = ip }, "gw.example.test", At));

        Assert.StartsWith("Received: from mail.example.org (" + literal + ") by ", header, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil\r\nX-Injected: yes")]
    [InlineData("a (b) \\ c")]
    [InlineData("bad_host!")]
    [InlineData("h\u00e9llo\u0000\u007f")]
    public void Never_lets_a_hostile_helo_break_the_field(string helo)
    {
        var header = ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = helo }, "gw.example.test", At);

        AssertWellFormed(header);
        var unfolded = Unfold(header);
        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", unfolded, StringComparison.Ordinal);
        var comment = unfolded[(unfolded.IndexOf("(helo=", StringComparison.Ordinal) + 6)..unfolded.IndexOf(") by ", StringComparison.Ordinal)];
        Assert.All(comment, c => Assert.True(c is > ' ' and < (char)0x7F and not '(' and not ')' and not '\\'));
    }

    [Fact]
    public void Bounds_a_very_long_helo()
    {
        var header = ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = new string('x', 5000) + "!" }, "gw.example.test", At);

        AssertWellFormed(header);
        Assert.True(header.Length < 400);
        Assert.Contains("(helo=" + new string('x', 64) + "...)", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_helo_and_address_still_give_a_valid_from_clause()
    {
        var header = ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = null, ClientIp = null }, "gw.example.test", At);

        AssertWellFormed(header);
        Assert.StartsWith("Received: from unknown by gw.example.test", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_literal_helo_is_kept()
    {
        var header = Unfold(ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = "[192.0.2.1]" }, "gw.example.test", At));

        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) by ", header, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("[010.0.0.1]")]
    [InlineData("[IPv6:fe80::1%eth0]")]
    [InlineData("mail.example.123")]
    public void A_helo_that_is_neither_a_domain_nor_an_address_literal_is_only_a_comment(string helo)
    {
        // RFC 5321 4.1.3: an address is written as a literal; a dotted quad or a numeric top label is no host name.
        var header = Unfold(ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = helo }, "gw.example.test", At));

        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", header, StringComparison.Ordinal);
    }

    [Fact]
    public void A_helo_domain_over_253_characters_is_only_a_comment()
    {
        var helo = string.Join('.', Enumerable.Repeat(new string('h', 63), 4))[..250] + ".org";
        Assert.Equal(254, helo.Length);

        var header = Unfold(ReceivedHeader.Build(Envelope("alice@example.test") with { Helo = helo }, "gw.example.test", At));

        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Folds_long_lines_at_78_characters()
    {
        var longDomain = string.Join('.', Enumerable.Repeat(new string('d', 60), 4));
        var envelope = Envelope(new string('l', 60) + "@" + longDomain) with
        {
            Helo = longDomain,
            TlsProtocol = "Tls13",
            TlsCipher = "TLS_AES_256_GCM_SHA384",
            AuthUser = "bob",
        };

        var header = ReceivedHeader.Build(envelope, "gw.example.test", At);

        Assert.StartsWith("Received: ", header, StringComparison.Ordinal);
        Assert.EndsWith("; Tue, 3 Nov 2026 07:05:09 -0500\r\n", Unfold(header), StringComparison.Ordinal);
        var lines = header[..^2].Split("\r\n");
        // The 244-octet domain cannot be folded; every other line respects the limit.
        Assert.All(lines.Where(l => !l.Contains(longDomain, StringComparison.Ordinal)), l => Assert.True(l.Length <= 78, l));
        Assert.Contains(lines, l => l.Trim() == "from " + longDomain || l.Trim() == longDomain);
    }

    [Fact]
    public void Quotes_a_local_part_that_is_not_a_dot_string()
    {
        var header = Unfold(ReceivedHeader.Build(Envelope("john \"x\" doe@example.test"), "gw.example.test", At));

        Assert.Contains("for <\"john \\\"x\\\" doe\"@example.test>;", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Drops_the_for_clause_for_an_unsafe_address()
    {
        var header = ReceivedHeader.Build(Envelope("a\r\nb@example.test"), "gw.example.test", At);

        AssertWellFormed(header);
        Assert.DoesNotContain(" for ", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_the_date_per_rfc5322()
    {
        Assert.Equal("Thu, 1 Jan 1970 00:00:00 +0000", ReceivedHeader.FormatDate(DateTimeOffset.UnixEpoch));
        Assert.Equal("Sun, 15 Mar 2026 23:59:59 +0530", ReceivedHeader.FormatDate(new DateTimeOffset(2026, 3, 15, 23, 59, 59, new TimeSpan(5, 30, 0))));
        Assert.Equal("Sun, 15 Mar 2026 23:59:59 -0930", ReceivedHeader.FormatDate(new DateTimeOffset(2026, 3, 15, 23, 59, 59, -new TimeSpan(9, 30, 0))));
    }

    [Fact]
    public void Rejects_an_invalid_host_name_or_queue_id()
    {
        Assert.Throws<ArgumentException>(() => ReceivedHeader.Build(Envelope("a@example.test"), "bad host\r\n", At));
        Assert.Throws<ArgumentException>(() => ReceivedHeader.Build(Envelope("a@example.test") with { QueueId = "a b" }, "gw.example.test", At));
    }
}
