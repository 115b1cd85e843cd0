using System.Text;

namespace Gateway.Spam.Scanning;

/// <summary>
/// What a link's visible text claims about where it leads. Text that shows a URL or a www. name on one domain over a
/// link to another is the phisher's disguise; a newsletter's own links show its own domain or plain words.
/// </summary>
internal static class LinkText
{
    /// <summary>Characters of link text read: a shown address is near its start.</summary>
    private const int MaxText = 256;

    /// <summary>Whether the text from <paramref name="start"/> on shows a URL or www. name on another domain than <paramref name="host"/>.</summary>
    public static bool ShowsOtherDomain(StringBuilder text, int start, string host)
    {
        Span<char> shown = stackalloc char[MaxText];
        var length = Math.Min(text.Length - start, MaxText);
        text.CopyTo(start, shown, length);
        shown = shown[..length];
        var scheme = shown.IndexOf("://", StringComparison.Ordinal);
        var from = scheme >= 0 ? scheme + 3 : shown.IndexOf("www.", StringComparison.OrdinalIgnoreCase);
        if (from < 0)
        {
            return false;
        }

        var end = from;
        while (end < shown.Length && (char.IsAsciiLetterOrDigit(shown[end]) || shown[end] is '.' or '-'))
        {
            end++;
        }

        var name = shown[from..end].TrimEnd('.');
        return name.Contains('.') && !LastLabels(name).Equals(LastLabels(host), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The last two labels of a host name ("example.com" of "www.shop.example.com").</summary>
    private static ReadOnlySpan<char> LastLabels(ReadOnlySpan<char> host)
    {
        var last = host.LastIndexOf('.');
        var previous = last <= 0 ? -1 : host[..last].LastIndexOf('.');
        return host[(previous + 1)..];
    }
}
