using System.Globalization;
using Gateway.Abstractions;

namespace Gateway.Pipeline;

/// <summary>Replies the pipeline gives; texts are generic, the reason goes to the log.</summary>
public static class PipelineReplies
{
    /// <summary>RFC 5321 has no dedicated relay code; 554 5.7.1 is what Postfix and others answer (RFC 3463 5.7.1: delivery not authorized).</summary>
    public static SmtpReply RelayDenied { get; } = new(554, "5.7.1", "Relay access denied");

    /// <summary>RFC 3463 5.1.1: the source of our domain's addresses (recipients:: list, LDAP, call-ahead) does not know the recipient.</summary>
    public static SmtpReply UnknownRecipient(string recipient) =>
        new(550, "5.1.1", string.Create(CultureInfo.InvariantCulture, $"<{recipient}>: Recipient address rejected: user unknown"));

    /// <summary>
    /// RFC 3463 4.4.3: directory server failure. The source of our addresses (LDAP, the internal server) gave no verdict:
    /// the sender's server tries again, and nothing is accepted that might bounce.
    /// </summary>
    public static SmtpReply VerificationUnavailable(string recipient) =>
        new(451, "4.4.3", string.Create(CultureInfo.InvariantCulture, $"<{recipient}>: Recipient address verification unavailable, try again later"));

    /// <summary>
    /// RFC 3463 5.3.4 / RFC 1870 6: the message (declared with SIZE= at RCPT, or received at the end of data) is larger
    /// than the recipient's domain takes. RFC 5321 4.5.3.1.10 has clients read a 552 to RCPT as "too many recipients"
    /// and retry; Postfix and the 5.3.4 code keep it permanent, and the sender learns now instead of by a notice later.
    /// </summary>
    public static SmtpReply MessageTooBigForDomain(string domain) =>
        new(552, "5.3.4", string.Create(CultureInfo.InvariantCulture, $"Message size exceeds fixed maximum message size for {domain}"));

    /// <summary>
    /// RFC 8689 / RFC 3463 5.7.10 (encryption needed): the message asks for REQUIRETLS and no route host of the
    /// recipient's domain is reached over verified TLS, so it could never be delivered as asked.
    /// </summary>
    public static SmtpReply RequireTlsNoVerifiedRoute(string domain) =>
        new(550, "5.7.10", string.Create(CultureInfo.InvariantCulture, $"REQUIRETLS: no verified TLS path to the mail server of {domain}"));

    /// <summary>RFC 3463 5.4.6: routing loop detected (RFC 5321 6.3: too many Received fields).</summary>
    public static SmtpReply RoutingLoop { get; } = new(554, "5.4.6", "Routing loop detected: too many Received headers");

    /// <summary>RFC 3463 5.3.4: message too big for system; here its header section, which is never judged by a part of it.</summary>
    public static SmtpReply HeaderSectionTooLarge { get; } = new(552, "5.3.4", "Message header section too large");

    /// <summary>RFC 3463 5.3.4 again: header fields (the message's or a MIME part's) too long to parse at a bounded cost.</summary>
    public static SmtpReply HeaderFieldsTooLarge { get; } = new(552, "5.3.4", "Message header fields too large");

    /// <summary>RFC 3463 5.6.0: other or undefined media error; a header section readers would split differently.</summary>
    public static SmtpReply MalformedHeader { get; } = new(554, "5.6.0", "Malformed message header section");

    /// <summary>RFC 3463 5.7.1; RFC 5321 553 "mailbox name not allowed", as Postfix answers a sender login mismatch.</summary>
    public static SmtpReply SenderNotOwned(string user) =>
        new(553, "5.7.1", string.Create(CultureInfo.InvariantCulture, $"Sender address rejected: not owned by user {user}"));

    /// <summary>The From field of an authenticated user's message names an address the user does not own (or none readable).</summary>
    public static SmtpReply AuthorNotOwned(string user) =>
        new(553, "5.7.1", string.Create(CultureInfo.InvariantCulture, $"From address rejected: not owned by user {user}"));

    /// <summary>RFC 3207 4: TLS is required (here by the client's network or the sender's domain) and not yet active.</summary>
    public static SmtpReply TlsRequired { get; } = new(530, "5.7.0", "Must issue a STARTTLS command first");

    /// <summary>RFC 7372 3.2: the enhanced status code for an SPF fail.</summary>
    public static SmtpReply SpfFail { get; } = new(550, "5.7.23", "SPF validation failed");

    /// <summary>
    /// RFC 3463 5.7.1, refused at RCPT by the lists and checks before DATA (spam.reject_score). 554 with the zone named,
    /// as Postfix's reject_rbl_client answers, so the sender's postmaster knows which list to talk to.
    /// </summary>
    public static SmtpReply ClientBlocked(string client, IReadOnlyList<string> zones) => new(554, "5.7.1", zones.Count > 0
        ? string.Create(CultureInfo.InvariantCulture, $"Service unavailable; client host [{client}] blocked using {string.Join(", ", zones)}")
        : string.Create(CultureInfo.InvariantCulture, $"Service unavailable; client host [{client}] refused by local policy"));

    /// <summary>RFC 3463 5.7.1: delivery not authorized; at the end of DATA, so the sender learns and nothing is lost.</summary>
    public static SmtpReply SpamRejected { get; } = new(550, "5.7.1", "Message rejected as spam");

    /// <summary>RFC 3463 5.7.1 at the end of DATA for a blocked attachment; <paramref name="why"/> is printable ASCII (names are cleaned).</summary>
    public static SmtpReply AttachmentRejected(string why) => new(550, "5.7.1", "Message rejected: " + why);

    /// <summary>A virus: 554 5.7.1 (RFC 3463: delivery not authorized), as clamav-milter and amavis answer; never delivered.</summary>
    public static SmtpReply VirusFound(string signature) => new(554, "5.7.1", "Message rejected: virus found (" + signature + ")");

    /// <summary>A scanner the policy relies on is down: 451 4.7.1, so the sender tries again and nothing goes unscanned.</summary>
    public static SmtpReply ScannerUnavailable(string what) => new(451, "4.7.1", what + " unavailable, try again later");

    public static SmtpReply DmarcReject { get; } = new(550, "5.7.1", "Message rejected by the DMARC policy of the sender's domain");

    public static SmtpReply AuthorInvalid { get; } = new(550, "5.7.1", "Message must have exactly one valid From address (RFC 7489 6.6.1)");

    public static SmtpReply DmarcTempError { get; } = new(451, "4.7.1", "Temporary failure checking the sender's DMARC policy, try again later");

    /// <summary>Mail that must be S/MIME signed waits (at the sending server) while the key vault is sealed: never unsigned.</summary>
    public static SmtpReply SigningKeySealed { get; } = new(451, "4.7.0", "S/MIME signing key not available (key vault sealed), try again later");

    /// <summary>Policy requires an S/MIME signature for this author and no key exists for it or its domain.</summary>
    public static SmtpReply SigningKeyMissing(bool temporary) => temporary
        ? new(451, "4.7.0", "No S/MIME signing key for the author, try again later")
        : new(550, "5.7.1", "No S/MIME signing key for the author; policy requires a signature");

    /// <summary>RFC 3463 5.7.1: policy requires encryption to this recipient and no certificate is known (never plaintext).</summary>
    public static SmtpReply EncryptionCertificateMissing(string recipient) =>
        new(550, "5.7.1", string.Create(CultureInfo.InvariantCulture, $"<{recipient}>: encryption required and no S/MIME certificate known for this recipient"));

    /// <summary>The pipeline itself failed (a defect or I/O trouble): try again later, never 250.</summary>
    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Local error in processing");
}
