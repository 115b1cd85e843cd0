using System.Net;
using Gateway.Authentication.Spf;

namespace Gateway.Pipeline.Authentication;

/// <summary>What the session knew about a transaction before its content arrived.</summary>
internal sealed record InboundFacts(
    string SessionId,
    IPAddress Client,
    string? Helo,
    string? MailFromDomain,
    string? FirstRecipientDomain,
    Task<SpfCheck>? Spf);
