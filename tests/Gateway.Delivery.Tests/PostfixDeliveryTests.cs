using System.Text;
using Gateway.Abstractions;
using Gateway.Queue;
using Gateway.Queue.Scheduling;

namespace Gateway.Delivery.Tests;

/// <summary>
/// Delivery to a real Postfix smtpd, checked against the queue file Postfix wrote: the octets that arrived and
/// the DSN parameters it recorded, over BDAT with STARTTLS and over DATA in plaintext.
/// </summary>
public sealed class PostfixDeliveryTests(PostfixFixture postfix) : IClassFixture<PostfixFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string, bool> Messages()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in ((IEnumerable<object[]>)SmtpDeliveryAgentTests.TrickyMessages).Select(row => (string)row[0]).Concat(["near-998", "no-final-crlf", "empty-body-no-crlf"]))
        {
            data.Add(name, true);
            data.Add(name, false);
        }

        return data;
    }

    private static byte[] Message(string name) => name switch
    {
        // RFC 5321 4.5.3.1.6: 998 octets of text plus CRLF is the longest line a server must take.
        "near-998" => Encoding.UTF8.GetBytes("Subject: near the limit\r\nMessage-ID: <n@x.test>\r\n\r\n" + new string('a', 998) + "\r\n." + new string('b', 997) + "\r\n" + "\u00e9" + new string('c', 996) + "\r\n"),
        "no-final-crlf" => Encoding.ASCII.GetBytes("Subject: no final line end\r\n\r\nfirst\r\n.second without its line end"),
        "empty-body-no-crlf" => Encoding.ASCII.GetBytes("Subject: only a header\r\nX-Last: no colon after me and no line end"),
        _ => SmtpDeliveryAgentTests.Tricky(name),
    };

    /// <summary>
    /// Postfix stores lines and postcat prints them with LF: the expected octets are the sent ones with LF line
    /// ends. Postfix's cleanup drops Bcc: and Content-Length: headers (its own rules, not ours; smtp-sink and the
    /// fake server see them arrive).
    /// </summary>
    private static byte[] AsStored(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message)
            .Replace("Bcc: hidden@example.test\r\n", string.Empty, StringComparison.Ordinal)
            .Replace("Content-Length: 12345\r\n", string.Empty, StringComparison.Ordinal);
        if (!text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            // The final line end the client adds (RFC 5321 4.1.1.4).
            text += "\r\n";
        }

        return Encoding.Latin1.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    private static string Unique(string local) => $"{local}-{Guid.NewGuid():N}@example.test";

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task The_stored_octets_arrive_as_they_were_stored(string name, bool chunking)
    {
        var server = postfix.Server(chunking);
        await using var agent = Jobs.Agent(Jobs.Options(server.EndPoint.Port), Jobs.LoopbackMx("example.test"));
        var message = Message(name);
        var recipient = Unique(name);

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(message, "a@sender.test", Jobs.Rcpt(recipient)), CancellationToken.None));

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);

        // After BDAT Postfix counts the octets it took: exactly the stored ones, plus a final CRLF where one was missing.
        var sent = message.Length + (message.AsSpan().EndsWith("\r\n"u8) ? 0 : 2);
        Assert.Equal(chunking ? $"250 2.0.0 Ok: {sent} bytes queued as " : "250 2.0.0 Ok: queued as ", outcome.Diagnostic[..^outcome.Diagnostic.Split(' ')[^1].Length]);
        var id = Assert.Single(await server.FindAsync(recipient));
        Assert.Equal(Encoding.Latin1.GetString(AsStored(message)), Encoding.Latin1.GetString(await server.ContentAsync(id)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dsn_parameters_are_recorded_by_postfix_as_the_client_gave_them(bool chunking)
    {
        var server = postfix.Server(chunking);
        await using var agent = Jobs.Agent(Jobs.Options(server.EndPoint.Port), Jobs.LoopbackMx("example.test"));
        var notified = Unique("notified");
        var plain = Unique("plain");
        QueuedRecipient[] recipients =
        [
            Jobs.Rcpt(notified, notify: DsnNotify.Success | DsnNotify.Failure) with { OriginalRecipientType = "rfc822", OriginalRecipient = "Original+Tag@Example.Test" },
            Jobs.Rcpt(plain, notify: DsnNotify.Never),
        ];
        var envelope = Jobs.Envelope("a@sender.test", recipients) with { Return = DsnReturn.Headers, EnvelopeId = "QQ314159 env" };

        var outcomes = await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, envelope, recipients), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.All(outcomes, o => Assert.True(o.DsnPassedOn));
        var records = await server.EnvelopeAsync(Assert.Single(await server.FindAsync(notified)));
        // postcat -e: the envelope attributes come before the recipient they belong to. RFC 3461: ENVID and
        // RET=HDRS (ret_flags 2) on the message, NOTIFY=SUCCESS,FAILURE (2|4) with the client's ORCPT, NEVER (1).
        Assert.Contains("named_attribute: envelope_id=QQ314159 env\nnamed_attribute: ret_flags=2\n", records, StringComparison.Ordinal);
        Assert.Contains(
            $"named_attribute: notify_flags=6\nnamed_attribute: dsn_orig_rcpt=rfc822;Original+Tag@Example.Test\noriginal_recipient: {notified}\nrecipient: {notified}\n",
            records,
            StringComparison.Ordinal);
        Assert.Contains($"named_attribute: notify_flags=1\n", records, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_and_starttls_are_what_postfix_saw()
    {
        var server = postfix.WithChunking;
        await using var agent = Jobs.Agent(Jobs.Options(server.EndPoint.Port), Jobs.LoopbackMx("example.test"));
        var recipient = Unique("tls");

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt(recipient)), CancellationToken.None));
        await agent.DisposeAsync();

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);

        // smtpd counts the commands of each session when it ends (the pooled connection is closed with QUIT).
        Assert.True(await server.WaitForLogAsync("ehlo=2 starttls=1 mail=1 rcpt=1 bdat=1 quit=1", Wait), server.Log());
        Assert.Contains("Anonymous TLS connection established from", server.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_a_label_recipient_arrives_as_written_without_smtputf8()
    {
        var server = postfix.WithoutChunking;
        await using var agent = Jobs.Agent(Jobs.Options(server.EndPoint.Port), Jobs.LoopbackMx("xn--bcher-kva.example"));
        var recipient = $"user-{Guid.NewGuid():N}@xn--bcher-kva.example";

        var outcome = Assert.Single(await agent.DeliverAsync(Jobs.Job(Jobs.SimpleMessage, "a@sender.test", Jobs.Rcpt(recipient)), CancellationToken.None));

        Assert.Equal(OutcomeKind.Delivered, outcome.Kind);
        var records = await server.EnvelopeAsync(Assert.Single(await server.FindAsync(recipient)));

        // Postfix records a message that came with SMTPUTF8 in its envelope flags; this one must not have it.
        Assert.Contains($"recipient: {recipient}", records, StringComparison.Ordinal);
        Assert.DoesNotContain("smtputf8", records, StringComparison.OrdinalIgnoreCase);
    }
}
