using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server.Logging;

/// <summary>
/// Every log line of the SMTP server (STYLE habit 8). Passwords and message bodies are never logged;
/// AUTH failures log the user name and client only.
/// </summary>
internal static partial class ServerLog
{
    private static readonly Func<ILogger, string, IDisposable?> SessionScopeFactory =
        LoggerMessage.DefineScope<string>("SmtpSession:{SessionId}");

    public static IDisposable? SessionScope(this ILogger logger, string sessionId) => SessionScopeFactory(logger, sessionId);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Listener {Listener} bound to {EndPoint}")]
    public static partial void ListenerStarted(this ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Listener {Listener} stopped")]
    public static partial void ListenerStopped(this ILogger logger, string listener);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Listener {Listener} failed to accept a connection")]
    public static partial void AcceptFailed(this ILogger logger, string listener, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Session {SessionId} opened: client {Client} local {Local} listener {Listener} proxied {ViaProxy}")]
    public static partial void SessionOpened(this ILogger logger, string sessionId, IPEndPoint client, IPEndPoint local, string listener, bool viaProxy);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Session {SessionId} closed: client {Client} listener {Listener} reason {Reason}")]
    public static partial void SessionClosed(this ILogger logger, string sessionId, IPAddress client, string listener, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Session {SessionId} failed unexpectedly")]
    public static partial void SessionFailed(this ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Connection from {Client} on listener {Listener} refused: {Limit} limit {Value} reached")]
    public static partial void ConnectionLimitReached(this ILogger logger, IPAddress client, string listener, string limit, int value);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Session {SessionId}: client {Client} talked before the greeting")]
    public static partial void EarlyTalker(this ILogger logger, string sessionId, IPAddress client);

    [LoggerMessage(EventId = 1090, Level = LogLevel.Information,
        Message = "Session {SessionId}: client {Client} sent more input behind {Command} before PIPELINING was offered")]
    public static partial void PipelinedWithoutOffer(this ILogger logger, string sessionId, IPAddress client, string command);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Session {SessionId}: connection refused by the connect stage: {Reply}")]
    public static partial void ConnectRefused(this ILogger logger, string sessionId, string reply);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "PROXY header from untrusted peer {Peer} on listener {Listener}: connection closed")]
    public static partial void ProxyUntrustedPeer(this ILogger logger, IPEndPoint peer, string listener);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Invalid or missing PROXY header from {Peer} on listener {Listener}: {Problem}")]
    public static partial void ProxyHeaderInvalid(this ILogger logger, IPEndPoint peer, string listener, string problem);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Session {SessionId}: TLS established {Protocol} {CipherSuite}")]
    public static partial void TlsEstablished(this ILogger logger, string sessionId, SslProtocols protocol, TlsCipherSuite cipherSuite);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Information, Message = "Session {SessionId}: TLS handshake with {Client} failed: {Problem}")]
    public static partial void TlsHandshakeFailed(this ILogger logger, string sessionId, IPAddress client, string problem);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Warning, Message = "Session {SessionId}: {Count} octets of plaintext pipelined after STARTTLS discarded (CVE-2011-0411 class)")]
    public static partial void PlaintextAfterStartTlsDiscarded(this ILogger logger, string sessionId, long count);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Warning, Message = "Session {SessionId}: implicit TLS listener {Listener} has no certificate: connection closed")]
    public static partial void ImplicitTlsWithoutCertificate(this ILogger logger, string sessionId, string listener);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Session {SessionId}: AUTH {Mechanism} succeeded for {User} from {Client}")]
    public static partial void AuthSucceeded(this ILogger logger, string sessionId, string mechanism, string user, IPAddress client);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Session {SessionId}: AUTH {Mechanism} failed for {User} from {Client}")]
    public static partial void AuthFailed(this ILogger logger, string sessionId, string mechanism, string user, IPAddress client);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Error, Message = "Session {SessionId}: credential verifier failed for {User}")]
    public static partial void AuthVerifierFailed(this ILogger logger, string sessionId, string user, Exception exception);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Information, Message = "Session {SessionId}: timeout in {Phase}, closing")]
    public static partial void Timeout(this ILogger logger, string sessionId, string phase);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Warning, Message = "Session {SessionId}: too many errors ({Errors}) from {Client}, closing")]
    public static partial void TooManyErrors(this ILogger logger, string sessionId, int errors, IPAddress client);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Error, Message = "Session {SessionId}: local error in {Stage}")]
    public static partial void LocalError(this ILogger logger, string sessionId, string stage, Exception exception);

    [LoggerMessage(EventId = 1063, Level = LogLevel.Information, Message = "Session {SessionId}: closed by the client in {Phase}")]
    public static partial void ClientDisconnected(this ILogger logger, string sessionId, string phase);

    [LoggerMessage(EventId = 1070, Level = LogLevel.Information,
        Message = "Transaction {TransactionId} session {SessionId} client {Client} helo {Helo} tls {Tls} cipher {Cipher} auth {AuthUser} from <{From}> requiretls {RequireTls} rcpt {Recipients} size {Size} chunking {ViaChunking} result {Outcome} verdict {Verdict} msgid {MessageId}")]
    public static partial void TransactionSummary(
        this ILogger logger,
        string transactionId,
        string sessionId,
        IPAddress client,
        string helo,
        string tls,
        string cipher,
        string authUser,
        string from,
        bool requireTls,
        string recipients,
        long size,
        bool viaChunking,
        string outcome,
        string verdict,
        string messageId);
}
