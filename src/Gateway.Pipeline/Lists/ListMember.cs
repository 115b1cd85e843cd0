using Gateway.Abstractions;

namespace Gateway.Pipeline.Lists;

/// <summary>A member the list's copy goes to, with the direction the queue delivers it in (our domains: inbound).</summary>
public sealed record ListMember(Mailbox Address, MailDirection Direction);
