namespace Gateway.Smime.CertificateDirectory;

/// <summary>No configured LDAP server answered the search; never leaves <see cref="LdapCertificateDirectory"/>.</summary>
public sealed class LdapDirectoryUnavailableException : Exception
{
    public LdapDirectoryUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
