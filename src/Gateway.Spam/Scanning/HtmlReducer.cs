using System.Net;
using System.Text;

namespace Gateway.Spam.Scanning;

/// <summary>
/// Turns HTML into the text a reader would see plus the markup the classifier learns from (element and attribute
/// names, link targets) and the tricks that hide or disguise text (<see cref="HtmlTricks"/>). A forgiving linear scan rather than a DOM: spam HTML is often broken on purpose, and the
/// scan must cost one pass over input that is already bounded by <see cref="ScanLimits"/>.
/// </summary>
internal static class HtmlReducer
{
    /// <summary>
    /// The next '&lt;' that opens markup: a browser reads '&lt;' followed by anything but a letter, '/', '!' or '?' as
    /// text (HTML5 13.2.5.6), so "&lt; BUY NOW" and "&lt;3" stay visible and must be read too.
    /// </summary>
    private static int TagOpen(string html, int from)
    {
        var open = html.IndexOf('<', from);
        while (open >= 0 && (open + 1 >= html.Length || !(char.IsAsciiLetter(html[open + 1]) || html[open + 1] is '/' or '!' or '?')))
        {
            open = open + 1 >= html.Length ? -1 : html.IndexOf('<', open + 1);
        }

        return open;
    }

    public static string Reduce(string html, ScannedMessage into)
    {
        var tricks = into.Html;
        var text = new StringBuilder(html.Length / 2);
        var i = 0;
        var skipUntil = (string?)null;
        // Where the text of the open link began and the host it leads to, to compare with a host its text shows.
        var anchorStart = -1;
        var anchorHost = (string?)null;
        // Whether the text so far ends inside a word, and what markup came since: a word that goes on after a comment
        // or an inline element was split to hide it from filters.
        var inWord = false;
        var (crossedComment, crossedTag) = (false, false);
        while (i < html.Length)
        {
            var open = TagOpen(html, i);
            var segment = open < 0 ? html.AsSpan(i) : html.AsSpan(i, open - i);
            if (skipUntil is null && segment.Length > 0)
            {
                if (inWord && char.IsLetter(segment[0]))
                {
                    tricks.CommentsInWords += crossedComment ? 1 : 0;
                    tricks.TagsInWords += crossedTag ? 1 : 0;
                }

                (crossedComment, crossedTag) = (false, false);
                inWord = char.IsLetter(segment[^1]);
                tricks.TextChars += segment.Length;
                tricks.EncodedLetters += CharacterReferences.CountLetters(segment);
                text.Append(segment);
            }

            if (open < 0)
            {
                break;
            }

            var close = html.IndexOf('>', open + 1);
            if (close < 0)
            {
                break;
            }

            var tag = html.AsSpan(open + 1, close - open - 1);
            i = close + 1;
            if (tag.StartsWith("!--", StringComparison.Ordinal))
            {
                // Comments hide word-splitting tricks ("vi<!-- -->agra"); they are dropped without a space. A
                // browser ends one at "-->" or at "--!>" (HTML5 13.2.5.52): text after either is shown.
                var end = html.IndexOf("-->", open, StringComparison.Ordinal);
                var bang = html.IndexOf("--!>", open + 2, StringComparison.Ordinal);
                i = bang >= 0 && (end < 0 || bang < end) ? bang + 4 : end < 0 ? html.Length : end + 3;
                crossedComment = true;
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
                var links = into.Links.Count;
                ReadAttributes(name, rest, into);
                if (name == "a")
                {
                    anchorStart = text.Length;
                    anchorHost = into.Links.Count > links ? into.Links[^1].Host : null;
                }
                else if (name == "img")
                {
                    tricks.Images++;
                }
                else if (name == "font")
                {
                    tricks.FontElements++;
                }
            }
            else if (name == "/a" && anchorStart >= 0)
            {
                if (anchorHost is not null && LinkText.ShowsOtherDomain(text, anchorStart, anchorHost))
                {
                    tricks.MisleadingLinks++;
                }

                anchorStart = -1;
            }

            if (IsInline(name))
            {
                // A browser runs the text on across inline elements: "<b>F</b>REE" reads, and is learned, as one word.
                crossedTag = true;
            }
            else
            {
                // Block-level boundaries separate words the way a browser would.
                text.Append(' ');
                inWord = false;
            }
        }

        return WebUtility.HtmlDecode(text.ToString());
    }

    private static bool IsInline(string name) =>
        name.AsSpan().TrimStart('/') is "b" or "i" or "u" or "s" or "em" or "strong" or "font" or "span" or "small" or "big"
            or "tt" or "strike" or "sub" or "sup" or "abbr";

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
            else if (attribute is "style" or "color" or "size")
            {
                HtmlStyle.Read(attribute, value, into.Html);
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
