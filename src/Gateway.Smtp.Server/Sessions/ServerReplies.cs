using System.Globalization;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

/// <summary>Replies the server itself composes (the grammar's sequence and syntax errors live in Gateway.Smtp.Protocol.SmtpReplies).</summary>
internal static class ServerReplies
{
    public static SmtpReply Greeting(string host, string text) => new(220, null, $"{host} {text}");

    // RFC 5321 4.5.3.2.7 / Postfix: a client silent past the timeout is told why before the close.
    public static SmtpReply Timeout(string host) => new(421, "4.4.2", $"{host} Error: timeout exceeded");

    public static SmtpReply TooManyErrors(string host) => new(421, "4.7.0", $"{host} Error: too many errors");

    public static SmtpReply TooManyConnections(string host) => new(421, "4.7.0", $"{host} Error: too many connections");

    public static SmtpReply TooManyConnectionsFromClient(string host) => new(421, "4.7.0", $"{host} Error: too many connections from your address");

    public static SmtpReply ShuttingDown(string host) => new(421, "4.3.2", $"{host} Service shutting down");

    // RFC 5321 3.1: the client must wait for the greeting. A 554 in its place obliges the server to wait for QUIT;
    // 521 (RFC 7504 3) lets it close at once, which is the point of refusing a bot, and is what postscreen sends.
    public static SmtpReply EarlyTalker { get; } = new(521, "5.5.0", "Protocol error: talked before greeting");

    public static SmtpReply MailOk { get; } = new(250, "2.1.0", "Ok");

    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Ok");

    public static SmtpReply Ok { get; } = new(250, "2.0.0", "Ok");

    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");

    public static SmtpReply StartData { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");

    public static SmtpReply NoValidRecipients { get; } = new(554, "5.5.1", "No valid recipients");

    public static SmtpReply TooManyRecipients { get; } = new(452, "4.5.3", "Too many recipients");

    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    public static SmtpReply BareCrOrLf { get; } = new(550, "5.5.2", "Bare CR or LF not allowed");

    public static SmtpReply NulInBody { get; } = new(550, "5.6.0", "NUL characters not allowed");

    public static SmtpReply BodyLineTooLong(int max) =>
        new(550, "5.6.0", $"Message line longer than {max.ToString(CultureInfo.InvariantCulture)} octets");

    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Local error in processing");

    public static SmtpReply TlsRequired { get; } = new(530, "5.7.0", "Must issue a STARTTLS command first");

    public static SmtpReply AuthRequired { get; } = new(530, "5.7.0", "Authentication required");

    public static SmtpReply ChunkReceived(long octets) =>
        new(250, "2.0.0", $"{octets.ToString(CultureInfo.InvariantCulture)} octets received");

    public static SmtpReply VrfyCannotVerify { get; } = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    public static SmtpReply VrfyDisabled { get; } = new(502, "5.5.1", "VRFY command is disabled");

    public static SmtpReply ExpnDisabled { get; } = new(502, "5.5.1", "EXPN command is disabled");

    public static SmtpReply Help { get; } = new(214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH HELP");

    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");

    public static SmtpReply StartTlsNotOffered { get; } = new(502, "5.5.1", "STARTTLS not offered");

    public static SmtpReply TlsAlreadyActive { get; } = new(503, "5.5.1", "TLS already active");

    public static SmtpReply AuthNotEnabled { get; } = new(502, "5.5.1", "AUTH not available");

    // RFC 4954 6: 538 when the mechanism needs an encrypted channel.
    public static SmtpReply EncryptionRequiredForAuth { get; } = new(538, "5.7.11", "Encryption required for requested authentication mechanism");

    public static SmtpReply AlreadyAuthenticated { get; } = new(503, "5.5.1", "Already authenticated");

    public static SmtpReply UnknownMechanism { get; } = new(504, "5.5.4", "Unrecognized authentication type");

    public static SmtpReply AuthCancelled { get; } = new(501, "5.0.0", "Authentication cancelled");

    public static SmtpReply AuthBadBase64 { get; } = new(501, "5.5.2", "Cannot decode response");

    // RFC 4954 4: continuation lines beyond the limit get 500 5.5.6.
    public static SmtpReply AuthLineTooLong { get; } = new(500, "5.5.6", "Authentication exchange line is too long");

    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");

    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Authentication credentials invalid");

    // RFC 4954 6: 454 4.7.0 temporary authentication failure.
    public static SmtpReply AuthTemporaryFailure { get; } = new(454, "4.7.0", "Temporary authentication failure");

    // RFC 5321 4.5.3.1.4 / 4.1.1: over-long command lines and bare LF line ends (SMTP smuggling, CVE-2023-51764).
    public static SmtpReply LineTooLong => SmtpReplies.LineTooLong;

    public static SmtpReply BareLineFeed { get; } = new(500, "5.5.2", "Bare LF not allowed, use CRLF");

    public static SmtpReply UnknownCommand { get; } = new(500, "5.5.1", "Command unrecognized");

    public static SmtpReply Challenge(string base64) => new(334, null, base64);

    public static SmtpReply DefaultReject { get; } = new(550, "5.7.1", "Rejected");

    public static SmtpReply DefaultTempFail { get; } = new(451, "4.3.0", "Try again later");

    public static SmtpReply DefaultDisconnect(string host) => new(421, "4.7.0", $"{host} Closing connection");
}
