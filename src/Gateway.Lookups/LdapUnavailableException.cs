namespace Gateway.Lookups;

/// <summary>No configured LDAP server completed the search (down, timed out, refused the bind or the search).</summary>
public sealed class LdapUnavailableException : Exception
{
    public LdapUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
