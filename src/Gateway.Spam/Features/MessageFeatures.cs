using Gateway.Spam.Scanning;

namespace Gateway.Spam.Features;

/// <summary>
/// All features of one scanned message: headers and how their fields are shaped, subject, body words and writing style,
/// links and how they are disguised, HTML markup and tricks, structure and sender alignment.
/// </summary>
internal static class MessageFeatures
{
    public static TokenSink Extract(ScannedMessage message, bool keepNames = false)
    {
        var sink = new TokenSink(keepNames);
        Extract(message, sink);
        return sink;
    }

    /// <summary>Adds the message's features to <paramref name="sink"/> (a reused one when scoring, see ScoringScratch).</summary>
    public static void Extract(ScannedMessage message, TokenSink sink)
    {
        HeaderFeatures.Add(message.Headers, sink);
        HeaderShapeFeatures.Add(message.Headers, sink);
        EncodedWordFeatures.Add(message.RawBytes.Span, sink);
        TextFeatures.Add("s:", message.Subject, sink);
        TextFeatures.Add("w:", message.BodyText, sink);
        StyleFeatures.Add(message.BodyText, sink);
        StyleFeatures.AddSubject(message.Subject, sink);
        AddLinks(message, sink);
        HtmlTrickFeatures.Add(message, sink);
        foreach (var markup in message.HtmlMarkup)
        {
            sink.Add("html:", markup);
        }

        AddStructure(message, sink);
        AlignmentFeatures.Add(message, sink);
    }

    private static void AddLinks(ScannedMessage message, TokenSink sink)
    {
        var distinct = 0;
        for (var i = 0; i < message.Links.Count; i++)
        {
            var (host, path, disguise) = message.Links[i];
            distinct += IsFirst(message.Links, i) ? 1 : 0;
            if (disguise != LinkDisguise.None)
            {
                AddDisguise(disguise, sink);
            }

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
        // Many hosts in one message: tracking, redirectors and mirrors that bulk mail spreads its links over.
        sink.Add("u:hosts:", HeaderFeatures.Bucket(distinct));

    }

    private static bool IsFirst(List<LinkTarget> links, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (links[i].Host == links[index].Host)
            {
                return false;
            }
        }

        return true;
    }

    private static void AddDisguise(LinkDisguise disguise, TokenSink sink)
    {
        if (disguise.HasFlag(LinkDisguise.UserInfo))
        {
            sink.Add("u:disguise:userinfo");
        }

        if (disguise.HasFlag(LinkDisguise.Port))
        {
            sink.Add("u:disguise:port");
        }

        if (disguise.HasFlag(LinkDisguise.Redirect))
        {
            sink.Add("u:disguise:redirect");
        }
    }

    /// <summary>
    /// Which writing systems the text uses beyond ASCII, and roughly how much: spam in a script the recipients do not
    /// read is spam whatever its words, and a script is not learned away by the next campaign.
    /// </summary>
    private static void AddScripts(string text, string prefix, TokenSink sink)
    {
        var read = text.AsSpan(0, Math.Min(text.Length, 20_000));
        if (!read.ContainsAnyExceptInRange('\0', '\u007f'))
        {
            // Nothing beyond ASCII, nothing to say (found in one vectorised pass instead of a loop per character).
            return;
        }

        int letters = 0, latinExtended = 0, cyrillic = 0, cjk = 0, hangul = 0, other = 0;
        foreach (var c in read)
        {
            if (c < '\u0080')
            {
                letters += char.IsAsciiLetter(c) ? 1 : 0;
                continue;
            }

            if (!char.IsLetter(c))
            {
                continue;
            }

            letters++;
            switch (c)
            {
                case < '\u0250':
                    latinExtended++;
                    break;
                case >= '\u0400' and < '\u0530':
                    cyrillic++;
                    break;
                case >= '\uAC00' and < '\uD7B0':
                case >= '\u1100' and < '\u1200':
                case >= '\u3130' and < '\u3190':
                    hangul++;
                    break;
                case >= '\u3040' and < '\u3100':
                case >= '\u4E00' and < '\uA000':
                    cjk++;
                    break;
                default:
                    other++;
                    break;
            }
        }

        Add(prefix, "latin-ext", latinExtended, letters, sink);
        Add(prefix, "cyrillic", cyrillic, letters, sink);
        Add(prefix, "cjk", cjk, letters, sink);
        Add(prefix, "hangul", hangul, letters, sink);
        Add(prefix, "other", other, letters, sink);

        static void Add(string prefix, string script, int count, int letters, TokenSink sink)
        {
            if (count > 0)
            {
                sink.Add(prefix, string.Concat(script, count * 2 >= letters ? ":most" : ":some"));
            }
        }
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

        AddScripts(message.Subject, "st:script:s:", sink);
        AddScripts(message.BodyText, "st:script:", sink);

        foreach (var shape in message.TextPartShapes)
        {
            sink.Add("st:part:", shape);
        }

        foreach (var name in message.AttachmentNames)
        {
            var dot = name.LastIndexOf('.');
            sink.Add("st:attach:", dot < 0 ? "none" : name[(dot + 1)..].ToLowerInvariant());
        }

        if (message.UndeclaredEightBit)
        {
            sink.Add("st:8bit-undeclared");
        }

        if (message.Truncated)
        {
            sink.Add("st:truncated");
        }
    }
}
