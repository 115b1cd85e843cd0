namespace Gateway.Dns;

/// <summary>Name handling shared by the resolvers.</summary>
internal static class DnsNames
{
    /// <summary>
    /// The comparison form of a name: lower-case (RFC 4343: DNS names compare case-insensitively) and without
    /// the trailing root dot. The root itself stays ".".
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim().TrimEnd('.');
        return trimmed.Length == 0 ? "." : trimmed.ToLowerInvariant();
    }

    /// <summary>
    /// True when a query can carry the (normalized) name: no empty label, labels of at most 63 octets and
    /// at most 253 characters in text form (RFC 1035 2.3.4: 255 octets on the wire). The root is queryable.
    /// </summary>
    public static bool IsQueryable(string normalized)
    {
        if (normalized == ".")
        {
            return true;
        }

        if (normalized.Length > 253)
        {
            return false;
        }

        var labelLength = 0;
        foreach (var c in normalized)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
            }
            else if (++labelLength > 63)
            {
                return false;
            }
        }

        return labelLength > 0;
    }
}
