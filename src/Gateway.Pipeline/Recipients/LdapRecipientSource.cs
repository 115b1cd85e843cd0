using Gateway.Abstractions;
using Gateway.Lookups;

namespace Gateway.Pipeline.Recipients;

/// <summary>
/// A domain's addresses in an LDAP directory: an address is known when the filter (e.g.
/// <c>(|(mail={0})(mailAlternateAddress={0}))</c>, the address escaped per RFC 4515) matches an entry under the base.
/// Only the entries' existence is read (attribute list "1.1", one entry). A directory that cannot be searched is
/// unavailable, never "unknown".
/// </summary>
public sealed class LdapRecipientSource : IRecipientSource, IDisposable
{
    /// <summary>RFC 4511 4.5.1.8: "1.1" asks for no attributes.</summary>
    private static readonly string[] NoAttributes = ["1.1"];

    private readonly LdapSearch _search;

    public LdapRecipientSource(LdapSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // One entry answers the question; more would only cost the directory.
        _search = new LdapSearch(options with { MaxEntries = 1 });
    }

    public string Name => "ldap";

    public async ValueTask<RecipientCheck> LookupAsync(Mailbox recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        try
        {
            var found = await _search.SearchAsync(recipient.ToString(), NoAttributes, entries => entries.Count > 0, cancellationToken).ConfigureAwait(false);
            return new RecipientCheck(found ? RecipientStatus.Known : RecipientStatus.Unknown, Name);
        }
        catch (LdapUnavailableException e)
        {
            return new RecipientCheck(RecipientStatus.Unavailable, Name, e.Message);
        }
    }

    public void Dispose() => _search.Dispose();
}
