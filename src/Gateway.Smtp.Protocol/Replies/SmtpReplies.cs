using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// The replies the protocol layer and the session send most, each with its RFC 3463 enhanced code. Texts are
/// short and generic (STYLE habit 4): the client learns the class of problem, the log gets the detail.
/// The instances are immutable and shared.
/// </summary>
public static class SmtpReplies
{
    /// <summary>RFC 5321 4.2.2 / RFC 3463 3.1: generic success.</summary>
    public static SmtpReply Ok { get; } = new(250, "2.0.0", "OK");

    /// <summary>RFC 5321 4.1.1.10: reply to QUIT.</summary>
    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");

    /// <summary>RFC 5321 4.1.1.4: intermediate reply to DATA (RFC 2034 3: no enhanced code on 354).</summary>
    public static SmtpReply StartData { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");

    /// <summary>RFC 3207 4: go ahead with the TLS handshake.</summary>
    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");

    /// <summary>RFC 5321 4.1.1.5 RSET and 4.1.1.9 NOOP.</summary>
    public static SmtpReply ResetOk { get; } = new(250, "2.0.0", "Reset OK");

    /// <summary>RFC 5321 3.5.3: VRFY without disclosing whether the mailbox exists.</summary>
    public static SmtpReply VrfyCannotVerify { get; } = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    /// <summary>RFC 5321 3.5.2: EXPN refused by policy.</summary>
    public static SmtpReply ExpnDisabled { get; } = new(502, "5.5.1", "EXPN not available");

    /// <summary>RFC 5321 4.1.1.8.</summary>
    public static SmtpReply Help { get; } = new(214, "2.0.0", "See RFC 5321");

    /// <summary>RFC 5321 4.2.4: 503 bad sequence.</summary>
    public static SmtpReply BadSequence { get; } = new(503, "5.5.1", "Bad sequence of commands");

    /// <summary>RFC 5321 4.3.2: greeting first (HELO/EHLO before MAIL).</summary>
    public static SmtpReply SendHeloFirst { get; } = new(503, "5.5.1", "Send HELO/EHLO first");

    /// <summary>RFC 5321 4.1.4: RCPT/DATA need MAIL first.</summary>
    public static SmtpReply NeedMail { get; } = new(503, "5.5.1", "Need MAIL command");

    /// <summary>RFC 5321 4.1.4: DATA/BDAT need at least one RCPT.</summary>
    public static SmtpReply NeedRcpt { get; } = new(503, "5.5.1", "Need RCPT command");

    /// <summary>RFC 5321 4.1.4: MAIL inside an open transaction.</summary>
    public static SmtpReply NestedMail { get; } = new(503, "5.5.1", "Sender already specified");

    /// <summary>RFC 3030 2/4: only BDAT, RSET, NOOP, QUIT are sensible while chunks are being sent.</summary>
    public static SmtpReply BdatInProgress { get; } = new(503, "5.5.1", "BDAT in progress");

    /// <summary>RFC 3207 4 / RFC 4954 4: STARTTLS and AUTH are not allowed inside a mail transaction.</summary>
    public static SmtpReply NotInTransaction { get; } = new(503, "5.5.1", "Not permitted during a mail transaction");

    /// <summary>RFC 4954 4: a second AUTH after a successful one.</summary>
    public static SmtpReply AlreadyAuthenticated { get; } = new(503, "5.5.1", "Already authenticated");

    /// <summary>RFC 5321 4.2.4: 500 syntax error (RFC 3463 5.5.2: syntax error).</summary>
    public static SmtpReply SyntaxError { get; } = new(500, "5.5.2", "Syntax error");

    /// <summary>RFC 5321 4.5.3.1.10 / 4.5.3.1.4.</summary>
    public static SmtpReply LineTooLong { get; } = new(500, "5.5.2", "Line too long");

    /// <summary>RFC 5321 2.3.8: lines end with CRLF; a bare LF is refused (SMTP smuggling, CVE-2023-51764).</summary>
    public static SmtpReply BareLineFeed { get; } = new(500, "5.5.2", "Bare LF not allowed");

    /// <summary>RFC 5321 4.2.4: command unrecognized.</summary>
    public static SmtpReply UnknownCommand { get; } = new(500, "5.5.1", "Command unrecognized");

    /// <summary>RFC 5321 4.2.4: 502 command not implemented.</summary>
    public static SmtpReply NotImplemented { get; } = new(502, "5.5.1", "Command not implemented");

    /// <summary>RFC 5321 4.2.4: 501 syntax error in parameters or arguments.</summary>
    public static SmtpReply ArgumentSyntaxError { get; } = new(501, "5.5.4", "Syntax error in parameters or arguments");

    /// <summary>RFC 5321 4.1.1.11 / 4.2.4: 555 parameter not recognized or not implemented.</summary>
    public static SmtpReply ParameterNotRecognized { get; } = new(555, "5.5.4", "Parameter not recognized or not implemented");

    /// <summary>RFC 5321 4.3.2: 421 service not available, closing the channel.</summary>
    public static SmtpReply ServiceNotAvailable { get; } = new(421, "4.3.2", "Service not available, closing transmission channel");

    /// <summary>RFC 5321 4.2.2 / 4.5.3.1.10: too many recipients.</summary>
    public static SmtpReply TooManyRecipients { get; } = new(452, "4.5.3", "Too many recipients");

    /// <summary>RFC 1870 6.1 / RFC 5321 4.5.3.1.10: message size exceeds the limit.</summary>
    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    /// <summary>RFC 5321 4.2.2: local error in processing.</summary>
    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Local error in processing");

    /// <summary>RFC 3207 4: a policy requires TLS first.</summary>
    public static SmtpReply TlsRequired { get; } = new(530, "5.7.0", "Must issue a STARTTLS command first");

    /// <summary>RFC 3207 4: TLS negotiation failed or is not available now.</summary>
    public static SmtpReply TlsNotAvailable { get; } = new(454, "4.7.0", "TLS not available due to temporary reason");

    /// <summary>RFC 4954 6: authentication succeeded.</summary>
    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");

    /// <summary>RFC 4954 6: invalid credentials.</summary>
    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Authentication credentials invalid");

    /// <summary>RFC 4954 6: the mechanism needs an encrypted channel.</summary>
    public static SmtpReply EncryptionRequiredForAuth { get; } = new(538, "5.7.11", "Encryption required for requested authentication mechanism");

    /// <summary>RFC 4954 4: the client cancelled the exchange with "*".</summary>
    public static SmtpReply AuthCancelled { get; } = new(501, "5.0.0", "Authentication cancelled");

    /// <summary>RFC 4954 4: a response that is not valid base64 (or, for PLAIN, not a valid message).</summary>
    public static SmtpReply AuthMalformed { get; } = new(501, "5.5.2", "Cannot decode response");

    /// <summary>RFC 4954 6: mechanism not supported (504 5.5.4).</summary>
    public static SmtpReply AuthMechanismNotSupported { get; } = new(504, "5.5.4", "Unrecognized authentication type");

    /// <summary>RFC 4954 6: submission requires authentication.</summary>
    public static SmtpReply AuthRequired { get; } = new(530, "5.7.0", "Authentication required");

    /// <summary>RFC 4954 6: temporary failure of the credential store.</summary>
    public static SmtpReply AuthTemporaryFailure { get; } = new(454, "4.7.0", "Temporary authentication failure");

    /// <summary>RFC 5321 3.6.2 / RFC 3463 5.7.1: relaying denied.</summary>
    public static SmtpReply RelayDenied { get; } = new(554, "5.7.1", "Relay access denied");

    /// <summary>RFC 5321 3.3: the session answers this when every RCPT was refused and DATA arrives.</summary>
    public static SmtpReply NoValidRecipients { get; } = new(554, "5.5.1", "No valid recipients");

    /// <summary>RFC 5321 4.5.3.1.10: path too long, on MAIL.</summary>
    public static SmtpReply SenderPathTooLong { get; } = new(501, "5.1.7", "Path too long");

    /// <summary>RFC 5321 4.5.3.1.10: path too long, on RCPT.</summary>
    public static SmtpReply RecipientPathTooLong { get; } = new(501, "5.1.3", "Path too long");

    /// <summary>RFC 3463 5.1.7: bad sender mailbox syntax.</summary>
    public static SmtpReply BadSenderAddress { get; } = new(501, "5.1.7", "Bad sender address syntax");

    /// <summary>RFC 3463 5.1.3: bad destination mailbox syntax.</summary>
    public static SmtpReply BadRecipientAddress { get; } = new(501, "5.1.3", "Bad recipient address syntax");

    /// <summary>RFC 6531 3.5 / RFC 3463 5.6.7: a non-ASCII address without SMTPUTF8.</summary>
    public static SmtpReply NonAsciiAddressNeedsSmtpUtf8 { get; } = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    /// <summary>RFC 6531 3.7.4 / RFC 3463 5.5.2: bytes that are not valid UTF-8.</summary>
    public static SmtpReply InvalidUtf8 { get; } = new(501, "5.5.2", "Invalid UTF-8");

    /// <summary>RFC 5321 4.1.1.1.</summary>
    public static SmtpReply HeloSyntax { get; } = new(501, "5.5.4", "Syntax: HELO hostname");

    /// <summary>RFC 5321 4.1.1.1.</summary>
    public static SmtpReply EhloSyntax { get; } = new(501, "5.5.4", "Syntax: EHLO hostname");

    /// <summary>RFC 5321 4.1.1.2.</summary>
    public static SmtpReply MailSyntax { get; } = new(501, "5.5.4", "Syntax: MAIL FROM:<address>");

    /// <summary>RFC 5321 4.1.1.3.</summary>
    public static SmtpReply RcptSyntax { get; } = new(501, "5.5.4", "Syntax: RCPT TO:<address>");

    /// <summary>RFC 3030 2.</summary>
    public static SmtpReply BdatSyntax { get; } = new(501, "5.5.4", "Syntax: BDAT size [LAST]");

    /// <summary>RFC 4954 4.</summary>
    public static SmtpReply AuthSyntax { get; } = new(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");

    /// <summary>RFC 5321 4.1.1.6 / 4.1.1.7: VRFY and EXPN take an argument.</summary>
    public static SmtpReply ArgumentRequired { get; } = new(501, "5.5.4", "Argument required");

    /// <summary>RFC 5321 4.1.1.4, 4.1.1.5, 4.1.1.10, RFC 3207 4: the command takes no arguments.</summary>
    public static SmtpReply NoArgumentsAllowed { get; } = new(501, "5.5.4", "Syntax error, no parameters allowed");

    /// <summary>RFC 5321 4.1.1.11: one ESMTP parameter given twice.</summary>
    public static SmtpReply DuplicateParameter { get; } = new(501, "5.5.4", "Duplicate parameter");

    /// <summary>RFC 5321 4.1.1.11: a parameter's value is malformed.</summary>
    public static SmtpReply InvalidParameterValue { get; } = new(501, "5.5.4", "Invalid parameter value");
}
