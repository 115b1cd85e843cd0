namespace Gateway.Policy;

/// <summary>Lookups in the policy's per-domain mappings, whose keys are canonical domains or ".parent" for every subdomain.</summary>
internal static class DomainMap
{
    /// <summary>An exact entry for <paramref name="domain"/>, else the closest ".parent" entry; false when neither exists.</summary>
    public static bool TryFind<T>(IReadOnlyDictionary<string, T> map, string domain, out T value)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = domain.ToLowerInvariant().TrimEnd('.');
        if (map.TryGetValue(name, out value!))
        {
            return true;
        }

        for (var dot = name.IndexOf('.'); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (map.TryGetValue(name[dot..], out value!))
            {
                return true;
            }
        }

        return false;
    }
}
