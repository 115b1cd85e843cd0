using System.Globalization;
using System.Net;
using Gateway.Syntax;

namespace Gateway.Authentication.Spf;

/// <summary>
/// A parsed "v=spf1" record (RFC 7208 4.5, 4.6, 12). Parsing checks the whole record before anything is
/// evaluated (RFC 7208 4.6: syntax errors anywhere give permerror), so an evaluation never meets bad syntax.
/// Immutable; one parse serves every evaluation of the same text.
/// </summary>
internal sealed class SpfRecord
{
    /// <summary>"v=spf1" (RFC 7208 4.5), compared case-insensitively.</summary>
    public const string Version = "v=spf1";

    private SpfRecord(IReadOnlyList<SpfDirective> directives, SpfMacroString? redirect, SpfMacroString? explanation)
    {
        Directives = directives;
        Redirect = redirect;
        Explanation = explanation;
    }

    public IReadOnlyList<SpfDirective> Directives { get; }

    /// <summary>The redirect= modifier's domain-spec (RFC 7208 6.1).</summary>
    public SpfMacroString? Redirect { get; }

    /// <summary>The exp= modifier's domain-spec (RFC 7208 6.2).</summary>
    public SpfMacroString? Explanation { get; }

    /// <summary>
    /// True when the TXT text is an SPF version 1 record: "v=spf1" followed by a space or the end (RFC 7208 4.5;
    /// "v=spf10" is not one).
    /// </summary>
    public static bool IsSpf1(string text) =>
        text.StartsWith(Version, StringComparison.OrdinalIgnoreCase) && (text.Length == Version.Length || text[Version.Length] == ' ');

    public static bool TryParse(string text, out SpfRecord? record, out string? error)
    {
        record = null;
        if (!IsSpf1(text))
        {
            error = "not a v=spf1 record";
            return false;
        }

        // RFC 7208 3.1 / 12: records are 7-bit ASCII; terms are separated by SP only (4.6.1), so a control
        // character anywhere (CR, LF, NUL, TAB) is a syntax error rather than a separator.
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                error = c > '~' ? "non-ASCII character in record" : $"control character 0x{(int)c:X2} in record";
                return false;
            }
        }

        var directives = new List<SpfDirective>();
        SpfMacroString? redirect = null;
        SpfMacroString? explanation = null;
        foreach (var term in text[Version.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = term.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsModifierName(term.AsSpan(0, equals)))
            {
                var name = term[..equals];
                var value = term[(equals + 1)..];
                if (name.Equals("redirect", StringComparison.OrdinalIgnoreCase) || name.Equals("exp", StringComparison.OrdinalIgnoreCase))
                {
                    var isRedirect = name.Length == 8;

                    // RFC 7208 6: redirect and exp MUST NOT appear more than once each.
                    if ((isRedirect ? redirect : explanation) is not null)
                    {
                        error = $"'{name}' appears twice";
                        return false;
                    }

                    if (!TryParseDomainSpec(value, out var spec, out error))
                    {
                        error = $"{name}=: {error}";
                        return false;
                    }

                    if (isRedirect)
                    {
                        redirect = spec;
                    }
                    else
                    {
                        explanation = spec;
                    }
                }
                else if (!SpfMacroString.TryParse(value, explanation: true, out _, out error))
                {
                    // RFC 7208 6.3 / A: unknown modifiers are ignored, but must still be a valid macro-string.
                    error = $"modifier '{name}': {error}";
                    return false;
                }

                continue;
            }

            if (!TryParseDirective(term, out var directive, out error))
            {
                return false;
            }

            directives.Add(directive!);
        }

        record = new SpfRecord(directives, redirect, explanation);
        error = null;
        return true;
    }

    /// <summary>
    /// domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand (RFC 7208
    /// 7.1). Checked on the text as published: what macros expand to is not syntax-checked (7.1, 4.8).
    /// </summary>
    internal static bool TryParseDomainSpec(string text, out SpfMacroString? spec, out string? error)
    {
        spec = null;
        if (text.Length == 0)
        {
            error = "empty domain-spec";
            return false;
        }

        if (!SpfMacroString.TryParse(text, explanation: false, out spec, out error))
        {
            return false;
        }

        if (spec!.EndsWithMacroExpand)
        {
            return true;
        }

        var literal = spec.TrailingLiteral.AsSpan();
        if (literal.EndsWith('.'))
        {
            literal = literal[..^1];
        }

        var dot = literal.LastIndexOf('.');
        if (dot < 0 || !IsTopLabel(literal[(dot + 1)..]))
        {
            spec = null;
            error = $"'{text}' does not end in a macro or a valid top label";
            return false;
        }

        return true;
    }

    /// <summary>
    /// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ): an LDH label
    /// that is not all-numeric ("a:192.0.2.1" is a publishing mistake, not a name).
    /// </summary>
    internal static bool IsTopLabel(ReadOnlySpan<char> label) =>
        DomainName.IsLdhLabel(label) && label.ContainsAnyExceptInRange('0', '9');

    /// <summary>name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (RFC 7208 6, 12).</summary>
    private static bool IsModifierName(ReadOnlySpan<char> name)
    {
        if (!char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseDirective(string term, out SpfDirective? directive, out string? error)
    {
        directive = null;
        var qualifier = term[0] switch
        {
            '+' => SpfResult.Pass,
            '-' => SpfResult.Fail,
            '~' => SpfResult.SoftFail,
            '?' => SpfResult.Neutral,
            _ => (SpfResult?)null,
        };
        var start = qualifier is null ? 0 : 1;
        var nameEnd = term.IndexOfAny([':', '/'], start);
        if (nameEnd < 0)
        {
            nameEnd = term.Length;
        }

        var name = term.AsSpan(start, nameEnd - start);
        var rest = term[nameEnd..];
        var kind = Kind(name);
        if (kind is null)
        {
            error = $"unknown mechanism '{term}'";
            return false;
        }

        var parsed = new SpfDirective(qualifier ?? SpfResult.Pass, kind.Value, term);
        switch (kind.Value)
        {
            case SpfMechanismKind.All:
                if (rest.Length > 0)
                {
                    error = $"'all' takes no argument: '{term}'";
                    return false;
                }

                break;

            case SpfMechanismKind.Include:
            case SpfMechanismKind.Exists:
                // include = "include" ":" domain-spec; exists = "exists" ":" domain-spec (RFC 7208 5.2, 5.7)
                if (!rest.StartsWith(':'))
                {
                    error = $"'{term}' needs \":\" and a domain-spec";
                    return false;
                }

                if (!TryParseDomainSpec(rest[1..], out var required, out var requiredError))
                {
                    error = $"'{term}': {requiredError}";
                    return false;
                }

                parsed = parsed with { DomainSpec = required };
                break;

            case SpfMechanismKind.Ptr:
                if (rest.Length > 0)
                {
                    if (!rest.StartsWith(':'))
                    {
                        error = $"'{term}': ptr takes no CIDR length";
                        return false;
                    }

                    if (!TryParseDomainSpec(rest[1..], out var ptrSpec, out var ptrError))
                    {
                        error = $"'{term}': {ptrError}";
                        return false;
                    }

                    parsed = parsed with { DomainSpec = ptrSpec };
                }

                break;

            case SpfMechanismKind.A:
            case SpfMechanismKind.Mx:
                // a / mx [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 5.3, 5.4)
                if (!TrySplitDualCidr(rest, out var head, out var cidr4, out var cidr6))
                {
                    error = $"bad CIDR length in '{term}'";
                    return false;
                }

                parsed = parsed with { Cidr4 = cidr4, Cidr6 = cidr6 };
                if (head.Length > 0)
                {
                    if (!head.StartsWith(':'))
                    {
                        error = $"'{term}': bad CIDR length";
                        return false;
                    }

                    if (!TryParseDomainSpec(head[1..], out var spec, out var specError))
                    {
                        error = $"'{term}': {specError}";
                        return false;
                    }

                    parsed = parsed with { DomainSpec = spec };
                }

                break;

            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                if (!TryParseNetwork(kind.Value, rest, out var network, out var prefix))
                {
                    error = $"bad network in '{term}'";
                    return false;
                }

                parsed = kind.Value == SpfMechanismKind.Ip4
                    ? parsed with { Network = network, Cidr4 = prefix }
                    : parsed with { Network = network, Cidr6 = prefix };
                break;
        }

        directive = parsed;
        error = null;
        return true;
    }

    private static SpfMechanismKind? Kind(ReadOnlySpan<char> name)
    {
        if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.All;
        }

        if (name.Equals("include", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.Include;
        }

        if (name.Equals("a", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.A;
        }

        if (name.Equals("mx", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.Mx;
        }

        if (name.Equals("ptr", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.Ptr;
        }

        if (name.Equals("ip4", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.Ip4;
        }

        if (name.Equals("ip6", StringComparison.OrdinalIgnoreCase))
        {
            return SpfMechanismKind.Ip6;
        }

        return name.Equals("exists", StringComparison.OrdinalIgnoreCase) ? SpfMechanismKind.Exists : null;
    }

    /// <summary>
    /// Takes dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] off the end of <paramref name="text"/>.
    /// Whatever is left must be empty or ":" domain-spec; a "/" inside a domain-spec is legal (7.1 macro-literal).
    /// </summary>
    private static bool TrySplitDualCidr(string text, out string head, out int cidr4, out int cidr6)
    {
        head = text;
        cidr4 = 32;
        cidr6 = 128;
        var digits = TrailingDigits(head);
        if (digits > 0 && head.Length - digits >= 2 && head[^(digits + 1)] == '/' && head[^(digits + 2)] == '/')
        {
            if (!TryParseCidr(head.AsSpan(head.Length - digits), 128, out cidr6))
            {
                return false;
            }

            head = head[..^(digits + 2)];
            digits = TrailingDigits(head);
        }

        if (digits > 0 && head.Length - digits >= 1 && head[^(digits + 1)] == '/')
        {
            if (!TryParseCidr(head.AsSpan(head.Length - digits), 32, out cidr4))
            {
                return false;
            }

            head = head[..^(digits + 1)];
        }

        return true;
    }

    private static int TrailingDigits(string text)
    {
        var count = 0;
        while (count < text.Length && char.IsAsciiDigit(text[^(count + 1)]))
        {
            count++;
        }

        return count;
    }

    /// <summary>ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT ); ip6: up to three digits; no leading zeros (RFC 7208 12).</summary>
    private static bool TryParseCidr(ReadOnlySpan<char> digits, int max, out int value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 3 || (digits.Length > 1 && digits[0] == '0') || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        value = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= max;
    }

    /// <summary>ip4 ":" ip4-network [ ip4-cidr-length ] / ip6 ":" ip6-network [ ip6-cidr-length ] (RFC 7208 5.6).</summary>
    private static bool TryParseNetwork(SpfMechanismKind kind, string rest, out IPAddress? network, out int prefix)
    {
        network = null;
        prefix = 0;
        if (!rest.StartsWith(':'))
        {
            return false;
        }

        var body = rest.AsSpan(1);
        var slash = body.IndexOf('/');
        var address = slash < 0 ? body : body[..slash];
        var isV4 = kind == SpfMechanismKind.Ip4;
        prefix = isV4 ? 32 : 128;
        if (slash >= 0 && !TryParseCidr(body[(slash + 1)..], prefix, out prefix))
        {
            return false;
        }

        // ip4-network: qnum without leading zeros (RFC 7208 12); ip6-network: RFC 4291 2.2, no zone, no brackets.
        var parsed = isV4 ? IPAddressText.TryParseIPv4(address, out var ip) : IPAddressText.TryParseIPv6(address, out ip);
        network = parsed ? ip : null;
        return parsed;
    }
}
