using System.Text.Json.Serialization;
using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>
/// The envelope as persisted with each spooled message (immutable once spooled): who sent it, from where,
/// to whom, and the DSN parameters needed for notices (RFC 3461).
/// </summary>
public sealed record QueuedEnvelope
{
    /// <summary>Origin of a message received over SMTP.</summary>
    public const string SmtpOrigin = "smtp";

    /// <summary>Origin of a delivery notice the gateway generated itself.</summary>
    public const string NoticeOrigin = "notice";

    /// <summary>A report the gateway generated itself (DMARC aggregate reports).</summary>
    public const string ReportOrigin = "report";

    /// <summary>An encrypted list's copy, expanded and encrypted again for the list's members; never expanded again.</summary>
    public const string ListOrigin = "list";

    [JsonPropertyName("id")]
    public required string QueueId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary><see cref="SmtpOrigin"/>, <see cref="NoticeOrigin"/>, <see cref="ReportOrigin"/> or <see cref="ListOrigin"/>.</summary>
    public required string Origin { get; init; }

    public string? SessionId { get; init; }

    public string? Listener { get; init; }

    /// <summary>The client address (IPv4-mapped IPv6 addresses are shown as IPv4).</summary>
    public string? ClientIp { get; init; }

    public int? ClientPort { get; init; }

    public GreetingKind Greeting { get; init; }

    public string? Helo { get; init; }

    /// <summary>The <see cref="System.Security.Authentication.SslProtocols"/> name, e.g. "Tls13"; null without TLS.</summary>
    public string? TlsProtocol { get; init; }

    /// <summary>
    /// <see cref="TlsProtocol"/> as the logs and Received fields spell it ("TLSv1.3"), for what admins read (queue show,
    /// the trace); the stored spelling stays the enum name, as envelopes already on disk have it.
    /// </summary>
    [JsonIgnore]
    public string? TlsProtocolName =>
        TlsProtocol is not null && Enum.TryParse<System.Security.Authentication.SslProtocols>(TlsProtocol, out var protocol)
            ? TlsFacts.NameOf(protocol)
            : TlsProtocol;

    /// <summary>The <see cref="System.Net.Security.TlsCipherSuite"/> name, e.g. "TLS_AES_256_GCM_SHA384".</summary>
    public string? TlsCipher { get; init; }

    public string? AuthUser { get; init; }

    public bool ViaProxy { get; init; }

    /// <summary>The trust decision the message was accepted under ("network", "auth-relay", "auth", "none"); null for generated mail.</summary>
    public string? Trust { get; init; }

    /// <summary>The reverse path; null is the null sender &lt;&gt; (never sent a notice: RFC 3461 6.2).</summary>
    public string? From { get; init; }

    public long? Size { get; init; }

    public BodyType Body { get; init; }

    [JsonPropertyName("smtputf8")]
    public bool SmtpUtf8 { get; init; }

    [JsonPropertyName("ret")]
    public DsnReturn Return { get; init; }

    [JsonPropertyName("envid")]
    public string? EnvelopeId { get; init; }

    [JsonPropertyName("auth")]
    public string? AuthParameter { get; init; }

    /// <summary>
    /// REQUIRETLS was given on MAIL (RFC 8689 2, accepted only over TLS): delivery must use TLS with a validated
    /// certificate on every hop and offer REQUIRETLS onward, or bounce the message (RFC 8689 5). Takes precedence
    /// over a TLS-Required: No field (RFC 8689 4), so it is never set together with <see cref="TlsRequiredNo"/>.
    /// </summary>
    [JsonPropertyName("requiretls")]
    public bool RequireTls { get; init; }

    /// <summary>
    /// The message carries TLS-Required: No (RFC 8689 4) and came without REQUIRETLS: delivery may ignore
    /// recipient-side TLS policy (MTA-STS, DANE) for it. Known only after the body, so it is not part of the
    /// envelope JSON written before the body; the spool keeps it in the flags record at the end of the file.
    /// </summary>
    [JsonIgnore]
    public bool TlsRequiredNo { get; init; }

    public required IReadOnlyList<QueuedRecipient> Recipients { get; init; }

    /// <summary>The persisted form of an envelope the SMTP dialogue established.</summary>
    public static QueuedEnvelope FromEnvelope(Envelope envelope, string queueId, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(queueId);
        var session = envelope.Session;
        var recipients = new QueuedRecipient[envelope.Recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            var r = envelope.Recipients[i];
            recipients[i] = new QueuedRecipient(
                r.Address.ToString(),
                r.Direction,
                r.Parameters.Notify,
                r.Parameters.OriginalRecipientType,
                r.Parameters.OriginalRecipient);
        }

        var client = session.ClientAddress;
        return new QueuedEnvelope
        {
            QueueId = queueId,
            ReceivedAt = receivedAt,
            Origin = SmtpOrigin,
            SessionId = session.SessionId,
            Listener = session.ListenerName,
            ClientIp = (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString(),
            ClientPort = session.RemoteEndPoint.Port,
            Greeting = session.Greeting,
            Helo = session.HeloName,
            TlsProtocol = session.Tls?.Protocol.ToString(),
            TlsCipher = session.Tls?.CipherSuite.ToString(),
            AuthUser = session.AuthenticatedUser,
            ViaProxy = session.ViaProxyProtocol,
            Trust = envelope.Trust?.Name,
            From = envelope.From?.ToString(),
            Size = envelope.MailParameters.Size,
            Body = envelope.MailParameters.Body,
            SmtpUtf8 = envelope.MailParameters.SmtpUtf8,
            Return = envelope.MailParameters.Return,
            EnvelopeId = envelope.MailParameters.EnvelopeId,
            AuthParameter = envelope.MailParameters.AuthMailbox,
            RequireTls = envelope.MailParameters.RequireTls,
            Recipients = recipients,
        };
    }
}
