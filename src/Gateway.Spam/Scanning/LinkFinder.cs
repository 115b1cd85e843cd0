using System.Text.RegularExpressions;

namespace Gateway.Spam.Scanning;

/// <summary>Finds links in plain text and normalises link targets to host and path.</summary>
internal static partial class LinkFinder
{
    /// <summary>Links counted per message: enough to see every domain of a real message, bounded for a hostile one.</summary>
    private const int MaxLinks = 200;

    public static void FindInText(string text, List<LinkTarget> links)
    {
        try
        {
            foreach (Match match in TextLink().Matches(text))
            {
                if (links.Count >= MaxLinks)
                {
                    return;
                }

                var value = match.Value;
                AddLink(value.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? "http://" + value : value, links);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Links found so far are kept; the pattern is linear, so this only happens on pathological input sizes.
        }
    }

    public static void AddLink(string value, List<LinkTarget> links)
    {
        if (links.Count >= MaxLinks)
        {
            return;
        }

        var link = value.Trim();
        if (Uri.TryCreate(link, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0)
        {
            links.Add(new LinkTarget(uri.Host.ToLowerInvariant(), uri.AbsolutePath, Disguise(uri, link)));
        }
    }

    /// <summary>Read from the link as written, without the strings <see cref="Uri"/>'s parts would cost.</summary>
    private static LinkDisguise Disguise(Uri uri, ReadOnlySpan<char> link)
    {
        var disguise = uri.IsDefaultPort ? LinkDisguise.None : LinkDisguise.Port;
        var scheme = link.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            // Written without the slashes ("http:\\host"), which Uri accepts: no authority to read apart.
            return disguise;
        }

        var rest = link[(scheme + 3)..];
        var authorityEnd = rest.IndexOfAny('/', '?', '#');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        disguise |= authority.Contains('@') ? LinkDisguise.UserInfo : LinkDisguise.None;
        // Past the host, another scheme or www. name, plain or percent-encoded, is a link being passed on.
        rest = authorityEnd < 0 ? [] : rest[authorityEnd..];
        if (rest.Contains("://", StringComparison.Ordinal) || rest.Contains("%3a%2f%2f", StringComparison.OrdinalIgnoreCase)
            || rest.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            disguise |= LinkDisguise.Redirect;
        }

        return disguise;
    }

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""'()\[\]]{1,500}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex TextLink();
}
