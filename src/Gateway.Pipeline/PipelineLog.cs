using System.Net;
using Gateway.Abstractions;
using Gateway.Pipeline.Steps;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Relay denied: session {SessionId} client {Client} helo {Helo} from <{Sender}> recipient {Recipient}: {Reason}")]
    public static partial void RelayDenied(ILogger logger, string sessionId, IPAddress client, string helo, Mailbox? sender, Mailbox recipient, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "Unknown recipient: session {SessionId} client {Client} recipient {Recipient} refused by {Source} {Detail}")]
    public static partial void UnknownRecipient(ILogger logger, string sessionId, IPAddress client, Mailbox recipient, string source, string detail);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Authentication-Results: session {SessionId}: {Results}")]
    public static partial void AuthenticationResults(ILogger logger, string sessionId, string results);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information,
        Message = "Message refused by step {Step}: session {SessionId} queue id {QueueId}: {Reply} ({Reason})")]
    public static partial void ContentRefused(ILogger logger, string sessionId, string queueId, string step, SmtpReply reply, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "DKIM-signed: session {SessionId} author domain {Domain} with {Signatures} signature(s)")]
    public static partial void Signed(ILogger logger, string sessionId, string domain, int signatures);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Step {Step} failed: session {SessionId} queue id {QueueId}; answering 451")]
    public static partial void StepFailed(ILogger logger, string sessionId, string queueId, string step, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
        Message = "SPF fail refused at MAIL FROM: session {SessionId} client {Client} domain {Domain}")]
    public static partial void SpfRefused(ILogger logger, string sessionId, IPAddress client, string domain);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information,
        Message = "Sender refused at MAIL FROM: session {SessionId}: user {User} does not own {Sender}")]
    public static partial void SenderNotOwned(ILogger logger, string sessionId, string user, Mailbox sender);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug,
        Message = "Step {Step}: session {SessionId} queue id {QueueId}: {Action} {Reason}")]
    public static partial void StepDone(ILogger logger, string sessionId, string queueId, string step, StepAction action, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning,
        Message = "Message pipeline failed: session {SessionId} queue id {QueueId}; answering 451")]
    public static partial void PipelineFailed(ILogger logger, string sessionId, string queueId, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information,
        Message = "MAIL before STARTTLS refused: session {SessionId} client {Client}: {Reason}")]
    public static partial void TlsRequired(ILogger logger, string sessionId, IPAddress client, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "Spam verdict: session {SessionId} queue id {QueueId} score {Score} required {Threshold} action {Action} tests {Tests}")]
    public static partial void SpamVerdict(ILogger logger, string sessionId, string queueId, double score, double threshold, string action, string tests);

    [LoggerMessage(EventId = 3140, Level = LogLevel.Warning,
        Message = "Recipient verification failed: session {SessionId} client {Client} recipient {Recipient}: {Source} {Detail}; answering 451 4.4.3")]
    public static partial void VerificationUnavailable(ILogger logger, string sessionId, IPAddress client, Mailbox recipient, string source, string detail);

    [LoggerMessage(EventId = 3141, Level = LogLevel.Information,
        Message = "Message too big for the recipient's domain at RCPT: session {SessionId} client {Client} recipient {Recipient} declared SIZE {Size} limit {Limit}")]
    public static partial void DeclaredSizeTooBig(ILogger logger, string sessionId, IPAddress client, Mailbox recipient, long size, long limit);

    [LoggerMessage(EventId = 3142, Level = LogLevel.Information,
        Message = "Message too big for a recipient's domain at end of data: session {SessionId} size {Size} limit {Limit}")]
    public static partial void MessageTooBig(ILogger logger, string sessionId, long size, long limit);

    [LoggerMessage(EventId = 3144, Level = LogLevel.Information,
        Message = "REQUIRETLS recipient refused at RCPT, no route host with tls: verify: session {SessionId} client {Client} recipient {Recipient}")]
    public static partial void RequireTlsNoVerifiedRoute(ILogger logger, string sessionId, IPAddress client, Mailbox recipient);

    [LoggerMessage(EventId = 3143, Level = LogLevel.Information,
        Message = "The internal server of {Domain} declares a message size limit of {Size} octets (EHLO SIZE); messages for it are held to that")]
    public static partial void MessageSizeLearned(ILogger logger, string domain, long size);
}
