using Gateway.Lookups;
using Gateway.Policy;

namespace Gateway.Host.Hosting;

/// <summary>
/// An LDAP directory of the policy (smime.directory.ldap, recipients.DOMAIN.ldap) as the search takes it: the bind
/// password read from its file, and an identity that tells whether a reload changed anything (a rewritten password
/// file counts), so the directory's connections and cache are kept when it did not.
/// </summary>
internal static class LdapSettings
{
    /// <summary>A password file, not a dump: anything larger is a wrong path, refused before it is read.</summary>
    private const long MaxPasswordFile = 4096;

    public static string Identity(LdapPolicy settings) =>
        settings.BindPasswordFile is { } passwordFile
            ? settings.Identity + "\n" + File.GetLastWriteTimeUtc(passwordFile).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : settings.Identity;

    /// <summary>The search settings, or null with a problem at the password file when it cannot be read.</summary>
    /// <param name="settings">The policy's directory.</param>
    /// <param name="section">Where the policy names it, for the problem's text.</param>
    /// <param name="problems">Gets the problem.</param>
    public static LdapSearchOptions? Build(LdapPolicy settings, string section, List<PolicyError> problems)
    {
        string? password = null;
        if (settings.BindPasswordFile is { } file)
        {
            try
            {
                if (new FileInfo(file).Length > MaxPasswordFile)
                {
                    throw new IOException("larger than 4 KiB; not a password file");
                }

                password = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new PolicyError(file, 1, 1, $"{section}.bind_password_file: {e.Message}"));
                return null;
            }
        }

        return new LdapSearchOptions(settings.Servers, settings.BaseDn)
        {
            BindDn = settings.BindDn,
            BindPassword = password,
            FilterTemplate = settings.Filter,
            Timeout = settings.Timeout,
        };
    }
}
