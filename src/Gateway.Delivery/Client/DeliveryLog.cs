using System.Net.Security;
using System.Security.Authentication;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Client;

/// <summary>Source-generated log messages of the SMTP delivery agent. Never message bodies.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "{QueueId}: to={Recipient} relay={Relay} status={Status} ({Diagnostic})")]
    public static partial void Outcome(ILogger logger, string queueId, string recipient, string relay, OutcomeKind status, string diagnostic);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "{QueueId}: connect to {Hop} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string queueId, NextHop hop, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "{QueueId}: transaction with {Hop} broke off: {Reason}")]
    public static partial void TransactionFailed(ILogger logger, string queueId, NextHop hop, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Debug, Message = "{QueueId}: reusing the idle connection to {Hop}")]
    public static partial void Reused(ILogger logger, string queueId, NextHop hop);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Debug, Message = "TLS with {Hop}: {Protocol} {Cipher}")]
    public static partial void TlsEstablished(ILogger logger, NextHop hop, SslProtocols protocol, TlsCipherSuite cipher);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "{Hop} refused STARTTLS, continuing without TLS: {Reply}")]
    public static partial void StartTlsRefused(ILogger logger, NextHop hop, SmtpReply reply);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Debug, Message = "{Hop} refused EHLO, trying HELO: {Reply}")]
    public static partial void HeloFallback(ILogger logger, NextHop hop, SmtpReply reply);

    [LoggerMessage(EventId = 4208, Level = LogLevel.Warning, Message = "TLS policy check failed for {Hop}, delivering anyway (testing mode): {Reason}")]
    public static partial void TlsPolicyTesting(ILogger logger, NextHop hop, string reason);

    [LoggerMessage(EventId = 4209, Level = LogLevel.Warning, Message = "{Hop}: {Reason}; TLS is opportunistic, trying again without it")]
    public static partial void PlaintextRetry(ILogger logger, NextHop hop, string reason);
}
