using Gateway.Spam.Scanning;

namespace Gateway.Spam.Features;

/// <summary>All features of one scanned message: headers, subject, body words, links, HTML markup, structure and sender alignment.</summary>
internal static class MessageFeatures
{
    public static TokenSink Extract(ScannedMessage message, bool keepNames = false)
    {
        var sink = new TokenSink(keepNames);
        HeaderFeatures.Add(message.Headers, sink);
        TextFeatures.Add("s:", message.Subject, sink);
        TextFeatures.Add("w:", message.BodyText, sink);
        AddLinks(message, sink);
        foreach (var markup in message.HtmlMarkup)
        {
            sink.Add("html:", markup);
        }

        AddStructure(message, sink);
        AlignmentFeatures.Add(message, sink);

        return sink;
    }

    private static void AddLinks(ScannedMessage message, TokenSink sink)
    {
        foreach (var (host, path) in message.Links)
        {
            sink.Add("u:host:", host);
            sink.Add("u:dom:", HeaderFeatures.LastLabels(host, 2));
            if (Gateway.Syntax.IPAddressText.TryParseIPv4(host, out _))
            {
                sink.Add("u:ip-host");
            }

            var segment = path.AsSpan().TrimStart('/');
            var slash = segment.IndexOf('/');
            segment = slash < 0 ? segment : segment[..slash];
            sink.Add("u:path:", segment.Length > 30 ? HeaderFeatures.Shape(segment) : segment.ToString().ToLowerInvariant());
        }

        sink.Add("u:count:", HeaderFeatures.Bucket(message.Links.Count));
    }

    private static void AddStructure(ScannedMessage message, TokenSink sink)
    {
        sink.Add("st:text:", message.HasHtml ? (message.HasPlainText ? "both" : "html-only") : message.HasPlainText ? "plain-only" : "none");
        sink.Add("st:parts:", HeaderFeatures.Bucket(message.PartCount));
        sink.Add("st:rcpts:", HeaderFeatures.Bucket(message.RecipientCount));
        sink.Add("st:len:", HeaderFeatures.Bucket(message.BodyText.Length / 256));
        var letters = message.Subject.Count(char.IsLetter);
        if (letters >= 5 && !message.Subject.Any(char.IsLower))
        {
            sink.Add("st:subject-all-caps");
        }

        foreach (var shape in message.TextPartShapes)
        {
            sink.Add("st:part:", shape);
        }

        foreach (var name in message.AttachmentNames)
        {
            var dot = name.LastIndexOf('.');
            sink.Add("st:attach:", dot < 0 ? "none" : name[(dot + 1)..].ToLowerInvariant());
        }

        if (message.Truncated)
        {
            sink.Add("st:truncated");
        }
    }
}
