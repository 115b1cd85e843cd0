using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Abstractions;
using Gateway.Pipeline.Trace;

namespace Gateway.Pipeline.Tests.Trace;

public sealed class ReceivedFieldTests
{
    private const string QueueId = "0123456789abcdef";

    private static readonly DateTimeOffset At = new(2026, 11, 3, 7, 5, 9, TimeSpan.FromHours(-5));

    private static Envelope Envelope(params Mailbox[] recipients) => new()
    {
        TransactionId = "t1",
        Session = new SessionFacts
        {
            SessionId = "s1",
            ListenerName = "inbound",
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 40000),
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
            ConnectedAt = At,
            Greeting = GreetingKind.Ehlo,
            HeloName = "mail.example.org",
        },
        From = new Mailbox("sender", "example.org"),
        MailParameters = MailParameters.None,
        Recipients = recipients.Select(r => new EnvelopeRecipient(r, RecipientParameters.None, MailDirection.Inbound)).ToList(),
        ReceivedAt = At,
    };

    private static Envelope Envelope(params string[] recipients) =>
        Envelope(recipients.Select(r => new Mailbox(r[..r.LastIndexOf('@')], r[(r.LastIndexOf('@') + 1)..])).ToArray());

    private static Envelope WithSession(Envelope envelope, Func<SessionFacts, SessionFacts> change) =>
        envelope with { Session = change(envelope.Session) };

    private static string Build(Envelope envelope, string host = "gw.example.test", string queueId = QueueId) =>
        ReceivedField.Build(envelope, queueId, host, At);

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
        var header = Build(Envelope("alice@example.test"));

        AssertWellFormed(header);
        Assert.Equal(
            "Received: from mail.example.org ([192.0.2.1]) by gw.example.test (Gateway) with ESMTP "
            + "id 0123456789abcdef for <alice@example.test>; Tue, 3 Nov 2026 07:05:09 -0500",
            Unfold(header)[..^2]);
    }

    [Fact]
    public void Omits_the_for_clause_with_several_recipients()
    {
        var header = Build(Envelope("a@example.test", "b@example.test"));

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
        var envelope = WithSession(Envelope("alice@example.test"), f => f with
        {
            Tls = tls ? new TlsFacts(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384) : null,
            AuthenticatedUser = auth ? "bob" : null,
        }) with
        { MailParameters = new MailParameters { SmtpUtf8 = utf8 } };

        var header = Unfold(Build(envelope));

        Assert.Contains(" with " + expected + " ", header, StringComparison.Ordinal);
    }

    [Fact]
    public void A_helo_client_gets_plain_smtp_and_an_ehlo_client_esmtp()
    {
        var helo = Unfold(Build(WithSession(Envelope("a@example.test"), f => f with { Greeting = GreetingKind.Helo })));
        var ehlo = Unfold(Build(WithSession(Envelope("a@example.test"), f => f with { Greeting = GreetingKind.Ehlo })));

        Assert.Contains(" with SMTP id ", helo, StringComparison.Ordinal);
        Assert.Contains(" with ESMTP id ", ehlo, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_the_tls_version_and_cipher()
    {
        var envelope = WithSession(Envelope("alice@example.test"), f => f with
        {
            Tls = new TlsFacts(SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
        });

        var header = Build(envelope);

        AssertWellFormed(header);
        Assert.Contains("with ESMTPS (using TLSv1.2 with cipher TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id", Unfold(header), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:192.0.2.7", "[192.0.2.7]")]
    [InlineData("2001:db8::1", "[IPv6:2001:db8::1]")]
    [InlineData("fe80::1%2", "[IPv6:fe80::1]")]
    public void Writes_the_client_address_as_an_address_literal(string ip, string literal)
    {
        var header = Unfold(Build(WithSession(Envelope("alice@example.test"), f => f with { RemoteEndPoint = new IPEndPoint(IPAddress.Parse(ip), 40000) })));

        Assert.StartsWith("Received: from mail.example.org (" + literal + ") by ", header, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil\r\nX-Injected: yes")]
    [InlineData("a (b) \\ c")]
    [InlineData("bad_host!")]
    [InlineData("h\u00e9llo\u0000\u007f")]
    public void Never_lets_a_hostile_helo_break_the_field(string helo)
    {
        var header = Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = helo }));

        AssertWellFormed(header);
        var unfolded = Unfold(header);
        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", unfolded, StringComparison.Ordinal);
        var comment = unfolded[(unfolded.IndexOf("(helo=", StringComparison.Ordinal) + 6)..unfolded.IndexOf(") by ", StringComparison.Ordinal)];
        Assert.All(comment, c => Assert.True(c is > ' ' and < (char)0x7F and not '(' and not ')' and not '\\'));
    }

    [Fact]
    public void Bounds_a_very_long_helo()
    {
        var header = Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = new string('x', 5000) + "!" }));

        AssertWellFormed(header);
        Assert.True(header.Length < 400);
        Assert.Contains("(helo=" + new string('x', 64) + "...)", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_helo_gives_the_address_as_the_from_clause()
    {
        var header = Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = null }));

        AssertWellFormed(header);
        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) by gw.example.test", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_literal_helo_is_kept()
    {
        var header = Unfold(Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = "[192.0.2.1]" })));

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
        var header = Unfold(Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = helo })));

        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", header, StringComparison.Ordinal);
    }

    [Fact]
    public void A_helo_domain_over_253_characters_is_only_a_comment()
    {
        var helo = string.Join('.', Enumerable.Repeat(new string('h', 63), 4))[..250] + ".org";
        Assert.Equal(254, helo.Length);

        var header = Unfold(Build(WithSession(Envelope("alice@example.test"), f => f with { HeloName = helo })));

        Assert.StartsWith("Received: from [192.0.2.1] ([192.0.2.1]) (helo=", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Folds_long_lines_at_78_characters()
    {
        var longDomain = string.Join('.', Enumerable.Repeat(new string('d', 60), 4));
        var envelope = WithSession(Envelope(new Mailbox(new string('l', 60), longDomain)), f => f with
        {
            HeloName = longDomain,
            Tls = new TlsFacts(SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384),
            AuthenticatedUser = "bob",
        });

        var header = Build(envelope);

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
        var header = Unfold(Build(Envelope(new Mailbox("john \"x\" doe", "example.test"))));

        Assert.Contains("for <\"john \\\"x\\\" doe\"@example.test>;", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Drops_the_for_clause_for_an_unsafe_address()
    {
        var header = Build(Envelope(new Mailbox("a\r\nb", "example.test")));

        AssertWellFormed(header);
        Assert.DoesNotContain(" for ", Unfold(header), StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_invalid_host_name_or_queue_id()
    {
        Assert.Throws<ArgumentException>(() => Build(Envelope("a@example.test"), host: "bad host\r\n"));
        Assert.Throws<ArgumentException>(() => Build(Envelope("a@example.test"), queueId: "a b"));
    }
}
