using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// The replies the grammar itself decides on (the state table's sequence errors and the command and address
/// parsers' syntax errors), each with its RFC 3463 enhanced code. Replies the session composes live in the
/// server's ServerReplies. Texts are short and generic (STYLE habit 4): the client learns the class of problem,
/// the log gets the detail. The instances are immutable and shared.
/// </summary>
public static class SmtpReplies
{
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

    /// <summary>RFC 5321 4.2.4: 500 syntax error (RFC 3463 5.5.2: syntax error).</summary>
    public static SmtpReply SyntaxError { get; } = new(500, "5.5.2", "Syntax error");

    /// <summary>RFC 5321 4.5.3.1.4 / 4.5.3.1.10: a command line over its limit.</summary>
    public static SmtpReply LineTooLong { get; } = new(500, "5.5.2", "Line too long");

    /// <summary>RFC 5321 4.2.4: 501 syntax error in parameters or arguments.</summary>
    public static SmtpReply ArgumentSyntaxError { get; } = new(501, "5.5.4", "Syntax error in parameters or arguments");

    /// <summary>RFC 5321 4.1.1.11 / 4.2.4: 555 parameter not recognized or not implemented.</summary>
    public static SmtpReply ParameterNotRecognized { get; } = new(555, "5.5.4", "Parameter not recognized or not implemented");

    /// <summary>RFC 4954 4: a response that is not valid base64 (or, for PLAIN, not a valid message).</summary>
    public static SmtpReply AuthMalformed { get; } = new(501, "5.5.2", "Cannot decode response");

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

    /// <summary>
    /// RFC 8689 2 with 5.7.10 "encryption needed" (RFC 4954 6, RFC 5248 registry): REQUIRETLS on MAIL outside TLS, where the server does not
    /// offer it.
    /// </summary>
    public static SmtpReply RequireTlsNeedsTls { get; } = new(530, "5.7.10", "REQUIRETLS needs a TLS session");
}
