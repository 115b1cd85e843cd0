using System.Buffers;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// A parsed DKIM tag-list (RFC 6376 3.2), the syntax of DKIM-Signature, key records, ARC-Seal and
/// ARC-Message-Signature. Tag names are case-sensitive; values keep their inner folding whitespace (callers that
/// need it gone, such as b=, bh= and p=, strip it with <see cref="StripWhitespace"/>).
/// </summary>
internal sealed class DkimTagList
{
    private static readonly SearchValues<char> Fws = SearchValues.Create(" \t\r\n");

    // Below "!" except the FWS characters, and DEL: never in a tag value (RFC 6376 3.2 VALCHAR).
    private static readonly SearchValues<char> InvalidValueChars = SearchValues.Create(
        "\0\x01\x02\x03\x04\x05\x06\x07\x08\x0B\x0C\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\x7F");

    private readonly Dictionary<string, string> _tags;

    private DkimTagList(Dictionary<string, string> tags, string? firstTag)
    {
        _tags = tags;
        FirstTag = firstTag;
    }

    /// <summary>The name of the first tag (key records require v= to come first: RFC 6376 3.6.1).</summary>
    public string? FirstTag { get; }

    public int Count => _tags.Count;

    public bool TryGet(string name, out string value)
    {
        if (_tags.TryGetValue(name, out var found))
        {
            value = found;
            return true;
        }

        value = string.Empty;
        return false;
    }

    public string? Get(string name) => _tags.TryGetValue(name, out var value) ? value : null;

    public bool Contains(string name) => _tags.ContainsKey(name);

    /// <summary>
    /// Parses a tag-list. Fails (with a reason for the log and the A-R comment) on a malformed tag-spec, an
    /// empty tag-spec between separators, a duplicate tag (RFC 6376 3.2: the entire tag-list is then invalid)
    /// or more than <paramref name="maxTags"/> tags.
    /// </summary>
    public static bool TryParse(string text, int maxTags, out DkimTagList? tags, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        tags = null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? first = null;
        var index = 0;
        while (true)
        {
            var end = text.IndexOf(';', index);
            var last = end < 0;
            var spec = text.AsSpan(index, (last ? text.Length : end) - index);
            var trimmed = TrimFws(spec);
            if (trimmed.IsEmpty)
            {
                // RFC 6376 3.2: a single trailing ";" is allowed; an empty tag-spec elsewhere is not.
                if (last && result.Count > 0)
                {
                    break;
                }

                error = result.Count == 0 && last ? "empty tag-list" : "empty tag-spec";
                return false;
            }

            if (!TryParseSpec(trimmed, out var name, out var value, out error))
            {
                return false;
            }

            if (!result.TryAdd(name, value))
            {
                error = $"duplicate tag {name}=";
                return false;
            }

            if (result.Count > maxTags)
            {
                error = "too many tags";
                return false;
            }

            first ??= name;
            if (last)
            {
                break;
            }

            index = end + 1;
        }

        tags = new DkimTagList(result, first);
        error = null;
        return true;
    }

    /// <summary>Removes all folding whitespace (SP, HTAB, CR, LF) from a value such as base64 data.</summary>
    public static string StripWhitespace(string value)
    {
        var first = value.AsSpan().IndexOfAny(Fws);
        if (first < 0)
        {
            return value;
        }

        // Values such as b= and p= are a few hundred characters: copy the runs between whitespace in one go.
        var buffer = value.Length <= 1024 ? stackalloc char[value.Length] : new char[value.Length];
        var rest = value.AsSpan();
        var length = 0;
        while (true)
        {
            var at = rest.IndexOfAny(Fws);
            var run = at < 0 ? rest : rest[..at];
            run.CopyTo(buffer[length..]);
            length += run.Length;
            if (at < 0)
            {
                break;
            }

            rest = rest[(at + 1)..];
        }

        return new string(buffer[..length]);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool IsFws(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static ReadOnlySpan<char> TrimFws(ReadOnlySpan<char> span)
    {
        var start = 0;
        var end = span.Length;
        while (start < end && IsFws(span[start]))
        {
            start++;
        }

        while (end > start && IsFws(span[end - 1]))
        {
            end--;
        }

        return span[start..end];
    }

    // RFC 6376 3.2: tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
    //               tag-name = ALPHA *ALNUMPUNC ; ALNUMPUNC = ALPHA / DIGIT / "_"
    //               tag-value = [ tval *( 1*(WSP / FWS) tval ) ] ; tval = 1*VALCHAR ; VALCHAR = %x21-3A / %x3C-7E
    private static bool TryParseSpec(ReadOnlySpan<char> spec, out string name, out string value, out string? error)
    {
        name = string.Empty;
        value = string.Empty;
        var i = 0;
        if (!char.IsAsciiLetter(spec[0]))
        {
            error = "malformed tag name";
            return false;
        }

        while (i < spec.Length && (char.IsAsciiLetterOrDigit(spec[i]) || spec[i] == '_'))
        {
            i++;
        }

        var nameEnd = i;
        while (i < spec.Length && IsFws(spec[i]))
        {
            i++;
        }

        if (i >= spec.Length || spec[i] != '=')
        {
            error = "malformed tag-spec (no '=')";
            return false;
        }

        name = spec[..nameEnd].ToString();
        i++;
        var raw = TrimFws(spec[i..]);

        // Non-ASCII is tolerated for RFC 8616 (EAI) identities; controls (but FWS) and ';' never are.
        if (raw.IndexOfAny(InvalidValueChars) >= 0)
        {
            error = $"invalid character in tag {name}=";
            return false;
        }

        value = raw.ToString();
        error = null;
        return true;
    }
}
