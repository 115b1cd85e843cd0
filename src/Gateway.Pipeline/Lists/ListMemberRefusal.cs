using Gateway.Abstractions;

namespace Gateway.Pipeline.Lists;

/// <summary>A member who gets nothing (never a plaintext copy) and why, for the sender's failure notice.</summary>
/// <param name="Member">The member's address.</param>
/// <param name="Direction">Inbound for our domains, as the notice's recipient block records it.</param>
/// <param name="Status">The RFC 3463 status, "5.7.1".</param>
/// <param name="Diagnostic">The reason as a reply text, "550 5.7.1 no S/MIME certificate for member".</param>
public sealed record ListMemberRefusal(Mailbox Member, MailDirection Direction, string Status, string Diagnostic);
