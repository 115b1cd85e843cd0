using Gateway.Syntax;

namespace Gateway.Transport.Policy;

/// <summary>
/// Per-destination TLS overrides, looked up as Postfix's smtp_tls_policy_maps: "example.org" matches that domain
/// only, ".example.org" every domain below it (not example.org itself); the exact name wins, then the closest
/// parent. Domains without an entry get <see cref="Default"/> (opportunistic "may" unless configured).
/// Immutable once built.
/// </summary>
public sealed class TlsPolicyTable
{
    private readonly Dictionary<string, TlsPolicyEntry> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TlsPolicyEntry> _parents = new(StringComparer.Ordinal);

    public TlsPolicyTable(IEnumerable<KeyValuePair<string, TlsPolicyEntry>> entries, TlsPolicyEntry? defaultEntry = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (pattern, entry) in entries)
        {
            ArgumentException.ThrowIfNullOrEmpty(pattern);
            ArgumentNullException.ThrowIfNull(entry);
            if (pattern.StartsWith('.'))
            {
                _parents[Normalize(pattern[1..])] = entry;
            }
            else
            {
                _exact[Normalize(pattern)] = entry;
            }
        }

        Default = defaultEntry ?? TlsPolicyEntry.Default;
    }

    public static TlsPolicyTable Empty { get; } = new([]);

    public TlsPolicyEntry Default { get; }

    /// <summary>The entry for a destination domain, or null when only the default applies.</summary>
    public TlsPolicyEntry? Find(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var name = Normalize(domain);
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_parents.TryGetValue(name[(dot + 1)..], out var parent))
            {
                return parent;
            }
        }

        return null;
    }

    private static string Normalize(string name) => DomainName.ComparisonForm(name.TrimEnd('.'));
}
