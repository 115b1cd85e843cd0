using Gateway.Abstractions;

namespace Gateway.Pipeline.Recipients;

/// <summary>
/// Where a domain's addresses are looked up, uncached: an LDAP directory or the internal server. Answers
/// <see cref="RecipientStatus.Unavailable"/> for every failure of its own rather than throwing.
/// </summary>
public interface IRecipientSource
{
    /// <summary>"ldap" or "call-ahead": named in the log line of every refusal and failure.</summary>
    string Name { get; }

    ValueTask<RecipientCheck> LookupAsync(Mailbox recipient, CancellationToken cancellationToken);
}
