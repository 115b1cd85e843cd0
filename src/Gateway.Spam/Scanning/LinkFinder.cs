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

        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0)
        {
            links.Add(new LinkTarget(uri.Host.ToLowerInvariant(), uri.AbsolutePath, Disguise(uri)));
        }
    }

    private static LinkDisguise Disguise(Uri uri)
    {
        var disguise = uri.UserInfo.Length > 0 ? LinkDisguise.UserInfo : LinkDisguise.None;
        disguise |= uri.IsDefaultPort ? LinkDisguise.None : LinkDisguise.Port;
        // Past the scheme and host, another scheme or www. name, plain or percent-encoded, is a link being passed on.
        var rest = uri.PathAndQuery.AsSpan();
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
