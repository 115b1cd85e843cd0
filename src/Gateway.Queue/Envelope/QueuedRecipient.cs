using System.Text.Json.Serialization;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Queue;

/// <summary>One recipient as spooled: the address, its direction and its DSN parameters (RFC 3461 4.1, 4.2).</summary>
/// <param name="Address">"local@domain" exactly as <see cref="Mailbox.ToString"/> gives it (local part unquoted).</param>
/// <param name="Direction">Inbound (one of our domains) or outbound, decided at RCPT time.</param>
/// <param name="Notify">NOTIFY=; <see cref="DsnNotify.None"/> when absent.</param>
/// <param name="OriginalRecipientType">ORCPT= address type, e.g. "rfc822".</param>
/// <param name="OriginalRecipient">ORCPT= address, xtext-decoded.</param>
public sealed record QueuedRecipient(
    string Address,
    MailDirection Direction,
    DsnNotify Notify,
    [property: JsonPropertyName("orcpt_type")] string? OriginalRecipientType,
    [property: JsonPropertyName("orcpt")] string? OriginalRecipient)
{
    /// <summary>
    /// The local part (everything before the last '@': a domain never contains one, a quoted local part may).
    /// The whole address for the bare "Postmaster" recipient (RFC 5321 4.5.1).
    /// </summary>
    public string LocalPart => AddrSpec.LocalPartOf(Address);

    /// <summary>The domain (after the last '@'); empty for the bare "Postmaster" recipient.</summary>
    public string Domain => AddrSpec.DomainOf(Address);
}
