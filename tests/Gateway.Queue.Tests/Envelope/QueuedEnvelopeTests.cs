using System.Net;
using System.Text.Json;
using Gateway.Abstractions;
using Gateway.Queue.Tests.Store;

namespace Gateway.Queue.Tests.Envelopes;

public sealed class QueuedEnvelopeTests
{
    [Fact]
    public void From_envelope_keeps_every_fact_needed_later()
    {
        var at = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var source = SpoolTestContext.MakeEnvelope("bob@example.test", "\"odd@local\"@example.test");

        var queued = QueuedEnvelope.FromEnvelope(source with { From = null }, "0123456789abcdef", at);

        Assert.Equal("0123456789abcdef", queued.QueueId);
        Assert.Equal(at, queued.ReceivedAt);
        Assert.Equal(QueuedEnvelope.SmtpOrigin, queued.Origin);
        Assert.Equal("s-1", queued.SessionId);
        Assert.Equal("inbound", queued.Listener);
        Assert.Equal("192.0.2.10", queued.ClientIp);
        Assert.Equal(40123, queued.ClientPort);
        Assert.Equal(GreetingKind.Ehlo, queued.Greeting);
        Assert.Equal("client.example.org", queued.Helo);
        Assert.Equal("Tls13", queued.TlsProtocol);
        Assert.Equal("TLSv1.3", queued.TlsProtocolName);
        Assert.Equal("TLS_AES_256_GCM_SHA384", queued.TlsCipher);
        Assert.Null(queued.From);
        Assert.Equal(1234, queued.Size);
        Assert.Equal(BodyType.EightBitMime, queued.Body);
        Assert.Equal(DsnReturn.Headers, queued.Return);
        Assert.Equal("env-42", queued.EnvelopeId);
        Assert.Equal(2, queued.Recipients.Count);
        Assert.Equal(DsnNotify.Failure | DsnNotify.Delay, queued.Recipients[0].Notify);
        Assert.Equal("rfc822", queued.Recipients[0].OriginalRecipientType);
        Assert.Equal(MailDirection.Inbound, queued.Recipients[0].Direction);
        Assert.Equal("\"odd@local\"", queued.Recipients[1].LocalPart);
        Assert.Equal("example.test", queued.Recipients[1].Domain);
    }

    [Fact]
    public void An_ipv4_mapped_client_is_shown_as_ipv4()
    {
        var source = SpoolTestContext.MakeEnvelope();
        source = source with { Session = source.Session with { RemoteEndPoint = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.7"), 1) } };

        Assert.Equal("198.51.100.7", QueuedEnvelope.FromEnvelope(source, "0123456789abcdef", default).ClientIp);
    }

    [Fact]
    public void The_json_uses_the_documented_snake_case_names_and_round_trips()
    {
        var queued = QueuedEnvelope.FromEnvelope(SpoolTestContext.MakeEnvelope(), "0123456789abcdef", new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)) with
        {
            AuthUser = "carol",
            AuthParameter = "carol@example.org",
            SmtpUtf8 = true,
            Trust = "auth",
        };

        var json = JsonSerializer.SerializeToUtf8Bytes(queued, QueueJsonContext.Default.QueuedEnvelope);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.Equal("0123456789abcdef", root.GetProperty("id").GetString());
        Assert.Equal("smtp", root.GetProperty("origin").GetString());
        Assert.Equal("192.0.2.10", root.GetProperty("client_ip").GetString());

        // Only the stored spelling is written: the admin-facing name is derived from it.
        Assert.False(root.TryGetProperty("tls_protocol_name", out _));
        Assert.Equal("eight_bit_mime", root.GetProperty("body").GetString());
        Assert.Equal("headers", root.GetProperty("ret").GetString());
        Assert.Equal("env-42", root.GetProperty("envid").GetString());
        Assert.Equal("carol@example.org", root.GetProperty("auth").GetString());
        Assert.True(root.GetProperty("smtputf8").GetBoolean());
        Assert.Equal("alice@example.org", root.GetProperty("from").GetString());
        Assert.Equal("auth", root.GetProperty("trust").GetString());
        Assert.Equal("ehlo", root.GetProperty("greeting").GetString());
        var rcpt = root.GetProperty("recipients")[0];
        Assert.Equal("bob@example.test", rcpt.GetProperty("address").GetString());
        Assert.Equal("bob", rcpt.GetProperty("local_part").GetString());
        Assert.Equal("example.test", rcpt.GetProperty("domain").GetString());
        Assert.Equal("inbound", rcpt.GetProperty("direction").GetString());
        Assert.Equal(["failure", "delay"], rcpt.GetProperty("notify").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("rfc822", rcpt.GetProperty("orcpt_type").GetString());
        Assert.Equal("bob@example.test", rcpt.GetProperty("orcpt").GetString());

        var back = JsonSerializer.Deserialize(json, QueueJsonContext.Default.QueuedEnvelope);
        Assert.NotNull(back);
        Assert.Equal(queued.Recipients, back.Recipients);
        Assert.Equal(queued with { Recipients = back.Recipients }, back);
    }

    [Theory]
    [InlineData(DsnNotify.None, "[]")]
    [InlineData(DsnNotify.Never, "[\"never\"]")]
    [InlineData(DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay, "[\"success\",\"failure\",\"delay\"]")]
    public void Notify_is_a_list(DsnNotify notify, string expected)
    {
        var recipient = new QueuedRecipient("a@b.test", MailDirection.Outbound, notify, null, null);
        var envelope = new QueuedEnvelope { QueueId = "0123456789abcdef", ReceivedAt = default, Origin = "smtp", Recipients = [recipient] };

        var json = JsonSerializer.Serialize(envelope, QueueJsonContext.Default.QueuedEnvelope);

        Assert.Contains("\"notify\":" + expected, json, StringComparison.Ordinal);
        Assert.Equal(notify, JsonSerializer.Deserialize(json, QueueJsonContext.Default.QueuedEnvelope)!.Recipients[0].Notify);
    }

    [Fact]
    public void Unknown_notify_values_are_rejected()
    {
        const string valid = """{"id":"0123456789abcdef","received_at":"2026-01-01T00:00:00+00:00","origin":"smtp","recipients":[{"address":"a@b","direction":"inbound","notify":["delay"],"orcpt_type":null,"orcpt":null}]}""";
        Assert.Equal(DsnNotify.Delay, JsonSerializer.Deserialize(valid, QueueJsonContext.Default.QueuedEnvelope)!.Recipients[0].Notify);

        var json = valid.Replace("\"delay\"", "\"sometimes\"", StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, QueueJsonContext.Default.QueuedEnvelope));
    }
}
