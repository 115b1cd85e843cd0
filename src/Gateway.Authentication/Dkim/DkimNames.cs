namespace Gateway.Authentication.Dkim;

/// <summary>Syntax checks for d= and s= before they become part of a DNS query.</summary>
internal static class DkimNames
{
    // RFC 1035 2.3.4: 253 characters in text form, 63 per label.
    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>
    /// RFC 6376 3.5 (d=, s=): a sequence of dot-separated labels. Labels may hold letters, digits, '-' and '_'
    /// (underscore appears in real selectors); A-labels only, no empty labels, no trailing dot.
    /// </summary>
    public static bool IsValidName(string value)
    {
        if (value.Length == 0 || value.Length > MaxNameLength)
        {
            return false;
        }

        var labelLength = 0;
        foreach (var c in value)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }

            if (++labelLength > MaxLabelLength)
            {
                return false;
            }
        }

        return labelLength > 0;
    }

    /// <summary>The DNS name of a key record: RFC 6376 3.6.2.1.</summary>
    public static string KeyName(string selector, string domain) => selector + "._domainkey." + domain;
}
