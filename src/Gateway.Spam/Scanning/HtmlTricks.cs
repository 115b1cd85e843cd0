namespace Gateway.Spam.Scanning;

/// <summary>
/// Counts of what HTML does to hide its text from filters or to look like something it is not: words split by
/// comments or inline tags, letters written as numeric character references, text made invisible or tiny, links
/// whose visible text names another host than they lead to, and images against visible text. Bulk-mail software
/// uses the same tricks from one campaign to the next, so they stay evidence when the words change.
/// </summary>
internal sealed class HtmlTricks
{
    /// <summary>Comments with a letter directly on both sides ("vi&lt;!-- x --&gt;agra").</summary>
    public int CommentsInWords { get; set; }

    /// <summary>Inline elements with a letter directly on both sides ("vi&lt;b&gt;&lt;/b&gt;agra").</summary>
    public int TagsInWords { get; set; }

    /// <summary>Letters and digits written as numeric character references ("&amp;#86;").</summary>
    public int EncodedLetters { get; set; }

    public int FontElements { get; set; }

    /// <summary>White text, display:none, visibility:hidden: colours and styles that keep text from the reader.</summary>
    public int InvisibleText { get; set; }

    /// <summary>Font size 1 or a style size of at most 3 pixels or points.</summary>
    public int TinyText { get; set; }

    public int Images { get; set; }

    /// <summary>Links whose text shows a host (a URL or a www. name) other than the one the link leads to.</summary>
    public int MisleadingLinks { get; set; }

    /// <summary>Characters of text between the tags, before entities are decoded.</summary>
    public int TextChars { get; set; }
}
