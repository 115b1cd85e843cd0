using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using static Gateway.Pipeline.Tests.Flow.MessageChecksTests;

namespace Gateway.Pipeline.Tests.Flow;

/// <summary>
/// What every flow does first: a header section that is too long to judge whole, or that readers would split into
/// different fields, is refused at the end of DATA with a permanent reply, never accepted and then found undeliverable,
/// never judged by a prefix; then the loop check.
/// </summary>
public sealed class HeaderSectionTests
{
    private static readonly EnvelopeRecipient Bob = new(new Mailbox("bob", "example.test"), RecipientParameters.None, MailDirection.Inbound);

    private static async Task<(SmtpReply Reply, MemoryMessageWriter Writer)> SendAsync(string message, string client = "192.0.2.1", bool inMemory = true, IDnsResolver? dns = null)
    {
        var acceptor = new WriterAcceptor(inMemory);
        var policy = MessageChecksTests.Policy();
        var handler = Handler(policy, acceptor, Services(policy, dns ?? Zones()));
        var reply = await MessageChecksTests.SendAsync(handler, Facts(client), new Mailbox("ceo", "strict.test"), Bob, message);
        return (reply, acceptor.Writer);
    }

    [Fact]
    public async Task A_second_from_past_the_header_bound_cannot_buy_a_dmarc_pass()
    {
        // The attacker's own domain passes; a From claiming strict.test sits after more than 1 MiB of fields.
        var filler = new StringBuilder();
        while (filler.Length < 1100 * 1024)
        {
            filler.Append("X-Filler: ").Append('a', 900).Append("\r\n");
        }

        var (reply, writer) = await SendAsync("From: ceo@relaxed.test\r\n" + filler + "From: ceo@strict.test\r\n\r\nbody\r\n", client: "203.0.113.9");

        Assert.Equal("552 5.3.4 Message header section too large", reply.ToString());
        Assert.NotNull(writer.Refused);
        Assert.Null(writer.Amendment);
    }

    [Fact]
    public async Task A_second_from_far_down_inside_the_bound_is_still_found()
    {
        var filler = string.Concat(Enumerable.Repeat("X-Filler: " + new string('a', 900) + "\r\n", 900));

        var (reply, _) = await SendAsync("From: ceo@relaxed.test\r\n" + filler + "From: ceo@strict.test\r\n\r\nbody\r\n", client: "203.0.113.9");

        Assert.Equal("550 5.7.1 Message must have exactly one valid From address (RFC 7489 6.6.1)", reply.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_part_header_too_long_to_parse_is_refused_before_any_parser_reads_it(bool inMemory)
    {
        // 20,000 folded parameters in one part header (229 KB) cost MimeKit 0.27 s and 400 MiB; 2 MB, six seconds.
        var message = "From: ceo@relaxed.test\r\nTo: bob@example.test\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
            + "--o\r\nContent-Type: application/octet-stream" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $";\r\n p{i}=a")) + "\r\n\r\nAAAA\r\n--o--\r\n";

        var (reply, writer) = await SendAsync(message, client: "203.0.113.9", inMemory: inMemory);

        Assert.Equal("552 5.3.4 Message header fields too large", reply.ToString());
        Assert.NotNull(writer.Refused);
    }

    [Fact]
    public async Task The_same_folded_lines_as_body_text_are_accepted()
    {
        var message = "From: ceo@strict.test\r\nTo: bob@example.test\r\nSubject: x\r\n\r\nAn indented listing follows:\r\n"
            + string.Concat(Enumerable.Range(0, 20_000).Select(i => $" p{i}=a\r\n"));

        var (reply, _) = await SendAsync(message, inMemory: false);

        Assert.Equal(250, reply.Code);
    }

    [Theory]
    [InlineData(" Subject: starts with a space\r\nFrom: ceo@strict.test\r\n\r\nbody\r\n")]
    [InlineData("\tcontinuation of nothing\r\nFrom: ceo@strict.test\r\n\r\nbody\r\n")]
    [InlineData("From: ceo@strict.test\r\nthis line is no field\r\n\r\nbody\r\n")]
    [InlineData("From: ceo@strict.test\r\n: empty name\r\n\r\nbody\r\n")]
    [InlineData("From: ceo@strict.test\r\nSub ject: space in the name\r\n\r\nbody\r\n")]
    [InlineData("From: ceo@strict.test\r\nSubject: x\r\nlast line without colon or line end")]
    public async Task A_header_section_readers_would_split_differently_is_554_5_6_0(string message)
    {
        var (reply, writer) = await SendAsync(message);

        Assert.Equal("554 5.6.0 Malformed message header section", reply.ToString());
        Assert.NotNull(writer.Refused);
    }

    [Theory]
    [InlineData("From: ceo@strict.test\r\nSubject: header only\r\n")]
    [InlineData("From: ceo@strict.test\r\nSubject: header only, no final line end")]
    [InlineData("From: ceo@strict.test\r\nSubject: folded\r\n\tover two lines\r\nX-Obsolete : WSP before the colon\r\n\r\nbody\r\n")]
    public async Task Well_formed_header_sections_are_accepted_as_they_are(string message)
    {
        var (reply, writer) = await SendAsync(message);

        Assert.Equal(250, reply.Code);
        Assert.EndsWith(message, writer.Delivered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, 250)]
    [InlineData(51, 554)]
    public async Task More_received_fields_than_the_policy_allows_is_a_loop(int count, int code)
    {
        var received = string.Concat(Enumerable.Range(0, count).Select(i => (i % 2 == 0 ? "Received: " : "RECEIVED : ") + $"from hop{i} by x; Mon, 1 Jan 2024 00:00:00 +0000\r\n"));
        var body = string.Concat(Enumerable.Repeat("Received: in the body, not counted\r\n", 20));

        var (reply, _) = await SendAsync(received + "From: ceo@strict.test\r\n\r\n" + body);

        Assert.Equal(code, reply.Code);
        if (code == 554)
        {
            Assert.Equal("554 5.4.6 Routing loop detected: too many Received headers", reply.ToString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Signatures_verify_whether_the_message_is_read_from_memory_or_from_the_spool_file(bool inMemory)
    {
        var generated = DkimKeyGenerator.GenerateRsa(2048);
        using var key = DkimSigningKey.FromPem("strict.test", "sel", generated.PrivateKeyPem);
        var message = "From: ceo@strict.test\r\nSubject: signed\r\n\r\n" + string.Concat(Enumerable.Repeat("a  line\twith   spaces \r\n", 5000));
        var signed = new DkimSigningService(TimeProvider.System).Sign(Encoding.ASCII.GetBytes(message), [key]) + message;
        var dns = Zones().AddTxt("sel._domainkey.strict.test", generated.DnsTxtRecord);

        var (reply, writer) = await SendAsync(signed, client: "203.0.113.9", inMemory: inMemory, dns: dns);

        Assert.Equal(250, reply.Code);
        Assert.Contains("dkim=pass", writer.Added, StringComparison.Ordinal);
        Assert.Contains("dmarc=pass", writer.Added, StringComparison.Ordinal);
    }
}
