using System.Text;

namespace Gateway.Authentication.Spf;

/// <summary>
/// A parsed macro-string (RFC 7208 7.1): literal text and macro-expands, checked once when the record is
/// parsed and expanded for each evaluation. Expansion never fails: every syntax rule is enforced by
/// <see cref="TryParse"/>.
/// </summary>
internal sealed class SpfMacroString
{
    /// <summary>
    /// Digits beyond this keep every part anyway (a label count cannot exceed 127); bounding the number keeps
    /// parsing free of overflow.
    /// </summary>
    private const int MaxKeep = 128;

    private readonly Segment[] _segments;

    private SpfMacroString(Segment[] segments, string text)
    {
        _segments = segments;
        Text = text;
        foreach (var segment in segments)
        {
            if (segment.Literal is null)
            {
                HasMacros = true;
                UsesValidatedName |= segment.Letter == 'p';
            }
        }

        var last = segments.Length == 0 ? default : segments[^1];
        EndsWithMacroExpand = segments.Length > 0 && (last.Literal is null || last.FromEscape);
        TrailingLiteral = segments.Length > 0 && !EndsWithMacroExpand ? last.Literal! : string.Empty;
    }

    /// <summary>The text as published.</summary>
    public string Text { get; }

    /// <summary>False when the text is all literal: expansion returns it unchanged.</summary>
    public bool HasMacros { get; }

    /// <summary>True when %{p} occurs: the validated name of the client needs DNS before expanding.</summary>
    public bool UsesValidatedName { get; }

    /// <summary>True when the last element is a macro-expand (the domain-end alternative of RFC 7208 7.1).</summary>
    public bool EndsWithMacroExpand { get; }

    /// <summary>The literal text after the last macro-expand (all of it when there is none).</summary>
    public string TrailingLiteral { get; }

    /// <summary>
    /// Parses <paramref name="text"/>. With <paramref name="explanation"/> the explain-string rules apply
    /// (RFC 7208 6.2: spaces allowed, and the letters c, r and t, RFC 7208 7.1 "allowed only in exp text").
    /// </summary>
    public static bool TryParse(string text, bool explanation, out SpfMacroString? result, out string? error)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch != '%')
            {
                // macro-literal = %x21-24 / %x26-7E; explain-string adds SP (RFC 7208 7.1, 6.2).
                if (ch is < '!' or > '~' && !(explanation && ch == ' '))
                {
                    return Fail($"character 0x{(int)ch:X2} not allowed in a macro-string", out result, out error);
                }

                literal.Append(ch);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                return Fail("'%' at the end of a macro-string", out result, out error);
            }

            var next = text[i + 1];
            if (next is '%' or '_' or '-')
            {
                // RFC 7208 7.1: "%%" is "%", "%_" a single space, "%-" the URL-encoded space "%20".
                Flush(literal, segments);
                segments.Add(new Segment(next switch { '%' => "%", '_' => " ", _ => "%20" }, '\0', 0, false, ".", false, FromEscape: true));
                i += 2;
                continue;
            }

            if (next != '{')
            {
                return Fail($"'%{next}' is not a macro (RFC 7208 7.1)", out result, out error);
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                return Fail("unterminated macro", out result, out error);
            }

            if (!TryParseExpand(text.AsSpan(i + 2, close - i - 2), explanation, out var segment, out error))
            {
                result = null;
                return false;
            }

            Flush(literal, segments);
            segments.Add(segment);
            i = close + 1;
        }

        Flush(literal, segments);
        result = new SpfMacroString([.. segments], text);
        error = null;
        return true;
    }

    /// <summary>
    /// Bounds one expansion. A record (at most SpfOptions.MaxRecordLength characters) full of %{s} macros would
    /// otherwise expand to hundreds of kilobytes per term; a domain name needs 253 characters and an explanation
    /// is cut to a few hundred, so nothing legitimate comes near this.
    /// </summary>
    public const int MaxExpansionLength = 16 * 1024;

    /// <summary>
    /// The expansion with the values given (RFC 7208 7.3 for transformers, 7.3 last paragraphs for URL escaping),
    /// cut at <see cref="MaxExpansionLength"/>.
    /// </summary>
    public string Expand(in SpfMacroValues values)
    {
        if (!HasMacros)
        {
            return _segments.Length == 1 ? _segments[0].Literal! : Concat();
        }

        var builder = new StringBuilder(Text.Length + 32);
        foreach (var segment in _segments)
        {
            if (builder.Length >= MaxExpansionLength)
            {
                break;
            }

            if (segment.Literal is not null)
            {
                builder.Append(segment.Literal);
                continue;
            }

            var value = values.Get(segment.Letter);
            var transformed = Transform(value, segment);
            if (segment.Escape)
            {
                AppendUrlEscaped(builder, transformed);
            }
            else
            {
                builder.Append(transformed);
            }
        }

        return builder.Length > MaxExpansionLength ? builder.ToString(0, MaxExpansionLength) : builder.ToString();
    }

    private string Concat()
    {
        var builder = new StringBuilder(Text.Length);
        foreach (var segment in _segments)
        {
            builder.Append(segment.Literal);
        }

        return builder.ToString();
    }

    private static bool TryParseExpand(ReadOnlySpan<char> body, bool explanation, out Segment segment, out string? error)
    {
        // macro-expand = "%{" macro-letter transformers *delimiter "}"; transformers = *DIGIT [ "r" ]
        segment = default;
        if (body.IsEmpty)
        {
            error = "empty macro";
            return false;
        }

        var letter = body[0];
        var lower = char.ToLowerInvariant(letter);
        var known = lower is 's' or 'l' or 'o' or 'd' or 'i' or 'p' or 'v' or 'h' || (explanation && lower is 'c' or 'r' or 't');
        if (!known || letter > 'z')
        {
            error = lower is 'c' or 'r' or 't'
                ? $"macro letter '{letter}' is allowed only in exp text (RFC 7208 7.1)"
                : $"unknown macro letter '{letter}'";
            return false;
        }

        var i = 1;
        var keep = 0;
        var digits = 0;
        while (i < body.Length && char.IsAsciiDigit(body[i]))
        {
            keep = Math.Min(MaxKeep, (keep * 10) + (body[i] - '0'));
            digits++;
            i++;
        }

        if (digits > 0 && keep == 0)
        {
            // RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero."
            error = "macro transformer of zero parts";
            return false;
        }

        var reverse = false;
        if (i < body.Length && body[i] is 'r' or 'R')
        {
            reverse = true;
            i++;
        }

        var delimiters = body[i..];
        foreach (var d in delimiters)
        {
            // delimiter = "." / "-" / "+" / "," / "/" / "_" / "="
            if (d is not ('.' or '-' or '+' or ',' or '/' or '_' or '='))
            {
                error = $"'{d}' is not a macro delimiter";
                return false;
            }
        }

        segment = new Segment(null, lower, keep, reverse, delimiters.IsEmpty ? "." : delimiters.ToString(), char.IsAsciiLetterUpper(letter), FromEscape: false);
        error = null;
        return true;
    }

    private static string Transform(string value, in Segment segment)
    {
        if (segment.Keep == 0 && !segment.Reverse && segment.Delimiters == ".")
        {
            // Splitting on "." and joining with "." gives the value back.
            return value;
        }

        var parts = value.Split(segment.Delimiters.ToCharArray());
        if (segment.Reverse)
        {
            Array.Reverse(parts);
        }

        var start = segment.Keep > 0 && segment.Keep < parts.Length ? parts.Length - segment.Keep : 0;
        return string.Join('.', parts, start, parts.Length - start);
    }

    /// <summary>RFC 7208 7.3: uppercase macros are URL-escaped, every character outside the unreserved set (RFC 3986 2.3).</summary>
    private static void AppendUrlEscaped(StringBuilder builder, string value)
    {
        const string hex = "0123456789ABCDEF";
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsSurrogatePair(value, i)
                ? Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            if (char.IsSurrogatePair(value, i))
            {
                i++;
            }

            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(hex[b >> 4]).Append(hex[b & 0xF]);
            }
        }
    }

    private static void Flush(StringBuilder literal, List<Segment> segments)
    {
        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), '\0', 0, false, ".", false, FromEscape: false));
            literal.Clear();
        }
    }

    private static bool Fail(string message, out SpfMacroString? result, out string? error)
    {
        result = null;
        error = message;
        return false;
    }

    /// <summary>Literal text, or one macro (letter lower-cased; Escape set when it was written upper-case).</summary>
    private readonly record struct Segment(string? Literal, char Letter, int Keep, bool Reverse, string Delimiters, bool Escape, bool FromEscape);
}
