using MimeKit;

namespace Gateway.Smime.Cms;

/// <summary>
/// Parses MIME that came out of CMS (decrypted or opaque-signed content) under the depth limit. MimeKit stops
/// treating multiparts as containers beyond <see cref="ParserOptions.MaxMimeDepth"/> rather than recursing
/// further, and the depth is then measured without recursion, so 100 or 100,000 nested multiparts give a clear
/// answer instead of a stack overflow.
/// </summary>
internal static class BoundedMimeLoader
{
    public static async Task<(MimeEntity? Entity, bool TooDeep)> LoadAsync(byte[] content, SmimeLimits limits, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        var parser = new MimeParser(Options(limits), stream, persistent: false);
        var entity = await parser.ParseEntityAsync(cancellationToken).ConfigureAwait(false);
        return IsTooDeep(entity, limits) ? (null, true) : (entity, false);
    }

    /// <summary>
    /// Parses a whole message, reporting each entity's offsets so signed parts can be sliced out of the raw
    /// bytes exactly as they arrived.
    /// </summary>
    public static async Task<(MimeMessage? Message, bool TooDeep)> LoadMessageAsync(Stream raw, SmimeLimits limits,
        EventHandler<MimeEntityEndEventArgs> onEntityEnd, CancellationToken cancellationToken)
    {
        var parser = new MimeParser(Options(limits), raw, persistent: false);
        parser.MimeEntityEnd += onEntityEnd;
        var message = await parser.ParseMessageAsync(cancellationToken).ConfigureAwait(false);
        return message.Body is { } body && IsTooDeep(body, limits) ? (null, true) : (message, false);
    }

    private static ParserOptions Options(SmimeLimits limits)
    {
        var options = ParserOptions.Default.Clone();
        options.MaxMimeDepth = limits.MaxMimeDepth + 1;
        return options;
    }

    private static bool IsTooDeep(MimeEntity entity, SmimeLimits limits) =>
        Depth(entity) > limits.MaxMimeDepth || HasUnparsedNesting(entity, limits.MaxMimeDepth);

    /// <summary>Depth of the entity tree (a single part is 1), measured with an explicit stack.</summary>
    public static int Depth(MimeEntity root)
    {
        var deepest = 0;
        var pending = new Stack<(MimeEntity Entity, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (entity, depth) = pending.Pop();
            deepest = Math.Max(deepest, depth);
            if (entity is Multipart multipart)
            {
                foreach (var child in multipart)
                {
                    pending.Push((child, depth + 1));
                }
            }
            else if (entity is MessagePart { Message.Body: { } body })
            {
                pending.Push((body, depth + 1));
            }
        }
        return deepest;
    }

    /// <summary>
    /// A multipart at the parser's depth limit is left as an opaque leaf by MimeKit; if one exists at the
    /// limit, the real nesting went deeper than we allow.
    /// </summary>
    private static bool HasUnparsedNesting(MimeEntity root, int maxDepth)
    {
        var pending = new Stack<(MimeEntity Entity, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (entity, depth) = pending.Pop();
            if (depth >= maxDepth && entity.ContentType.IsMimeType("multipart", "*") && entity is not Multipart)
            {
                return true;
            }
            if (entity is Multipart multipart)
            {
                foreach (var child in multipart)
                {
                    pending.Push((child, depth + 1));
                }
            }
        }
        return false;
    }
}
