using Gateway.Spam.Scanning;

namespace Gateway.Spam.Features;

/// <summary>
/// The HTML tricks of a message (<see cref="HtmlTricks"/>) as features, each by rough count: how a sender hides
/// text outlives the words it hides, so these carry over to campaigns the model never saw.
/// </summary>
internal static class HtmlTrickFeatures
{
    /// <summary>Visible characters below which HTML with images is mostly picture: the text is in the image.</summary>
    private const int LittleText = 400;

    public static void Add(ScannedMessage message, TokenSink sink)
    {
        if (!message.HasHtml)
        {
            return;
        }

        var tricks = message.Html;
        Add("ht:comment-split:", tricks.CommentsInWords, sink);
        Add("ht:tag-split:", tricks.TagsInWords, sink);
        Add("ht:encoded-letters:", tricks.EncodedLetters, sink);
        Add("ht:invisible:", tricks.InvisibleText, sink);
        Add("ht:tiny:", tricks.TinyText, sink);
        Add("ht:misleading-link:", tricks.MisleadingLinks, sink);
        sink.Add("ht:font:", HeaderFeatures.Bucket(tricks.FontElements));
        sink.Add("ht:img:", HeaderFeatures.Bucket(tricks.Images));
        if (tricks.Images > 0 && tricks.TextChars < LittleText)
        {
            sink.Add("ht:img-little-text");
        }
    }

    /// <summary>Only a trick that was used becomes a feature: its absence is the common case and says little.</summary>
    private static void Add(string prefix, int count, TokenSink sink)
    {
        if (count > 0)
        {
            sink.Add(prefix, HeaderFeatures.Bucket(count));
        }
    }
}
