using System.Net;
using System.Text;

namespace Gateway.Spam.Scanning;

/// <summary>
/// Turns HTML into the text a reader would see plus the markup the classifier learns from (element and attribute
/// names, link targets). A forgiving linear scan rather than a DOM: spam HTML is often broken on purpose, and the
/// scan must cost one pass over input that is already bounded by <see cref="ScanLimits"/>.
/// </summary>
internal static class HtmlReducer
{
    public static string Reduce(string html, ScannedMessage into)
    {
        var text = new StringBuilder(html.Length / 2);
        var i = 0;
        var skipUntil = (string?)null;
        while (i < html.Length)
        {
            var open = html.IndexOf('<', i);
            if (open < 0)
            {
                AppendText(text, html.AsSpan(i), skipUntil);
                break;
            }

            AppendText(text, html.AsSpan(i, open - i), skipUntil);
            var close = html.IndexOf('>', open + 1);
            if (close < 0)
            {
                break;
            }

            var tag = html.AsSpan(open + 1, close - open - 1);
            i = close + 1;
            if (tag.StartsWith("!--", StringComparison.Ordinal))
            {
                // Comments hide word-splitting tricks ("vi<!-- -->agra"); they are dropped without a space.
                var end = html.IndexOf("-->", open, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
                continue;
            }

            var name = ReadName(tag, out var rest);
            if (name.Length == 0)
            {
                continue;
            }

            if (skipUntil is not null)
            {
                if (name == "/" + skipUntil)
                {
                    skipUntil = null;
                }

                continue;
            }

            if (name is "script" or "style")
            {
                skipUntil = name;
            }

            if (name[0] != '/')
            {
                into.HtmlMarkup.Add(name);
                ReadAttributes(name, rest, into);
            }

            // Block-level boundaries separate words the way a browser would.
            text.Append(' ');
        }

        return WebUtility.HtmlDecode(text.ToString());
    }

    private static void AppendText(StringBuilder text, ReadOnlySpan<char> span, string? skipUntil)
    {
        if (skipUntil is null)
        {
            text.Append(span);
        }
    }

    private static string ReadName(ReadOnlySpan<char> tag, out ReadOnlySpan<char> rest)
    {
        // A closing tag keeps its slash ("/p") so it can end a skipped script or style element.
        var end = tag.Length > 0 && tag[0] == '/' ? 1 : 0;
        while (end < tag.Length && !char.IsWhiteSpace(tag[end]) && tag[end] != '/')
        {
            end++;
        }

        rest = tag[end..];
        return end > 32 ? "" : tag[..end].ToString().ToLowerInvariant();
    }

    private static void ReadAttributes(string element, ReadOnlySpan<char> rest, ScannedMessage into)
    {
        var i = 0;
        while (i < rest.Length)
        {
            while (i < rest.Length && (char.IsWhiteSpace(rest[i]) || rest[i] == '/'))
            {
                i++;
            }

            var start = i;
            while (i < rest.Length && rest[i] != '=' && !char.IsWhiteSpace(rest[i]))
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            var attribute = rest[start..i].ToString().ToLowerInvariant();
            into.HtmlMarkup.Add(element + ":" + attribute);
            if (i >= rest.Length || rest[i] != '=')
            {
                continue;
            }

            i++;
            var value = ReadValue(rest, ref i);
            if (attribute is "href" or "src" or "action")
            {
                LinkFinder.AddLink(WebUtility.HtmlDecode(value), into.Links);
            }
        }
    }

    private static string ReadValue(ReadOnlySpan<char> rest, ref int i)
    {
        if (i < rest.Length && (rest[i] == '"' || rest[i] == '\''))
        {
            var quote = rest[i];
            var end = rest[(i + 1)..].IndexOf(quote);
            var value = end < 0 ? rest[(i + 1)..] : rest.Slice(i + 1, end);
            i = end < 0 ? rest.Length : i + end + 2;
            return value.ToString();
        }

        var start = i;
        while (i < rest.Length && !char.IsWhiteSpace(rest[i]))
        {
            i++;
        }

        return rest[start..i].ToString();
    }
}
