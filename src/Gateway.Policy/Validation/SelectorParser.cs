namespace Gateway.Policy.Validation;

/// <summary>Validates DKIM/ARC selectors and brings them to lower case.</summary>
internal static class SelectorParser
{
    /// <summary>The fixed middle of a key record name, "&lt;selector&gt;._domainkey.&lt;domain&gt;" (RFC 6376 3.6.2.1).</summary>
    public const string KeyRecordInfix = "._domainkey.";

    /// <summary>RFC 1035 2.3.4: 253 characters for a name in text form without the root dot.</summary>
    private const int MaxNameLength = 253;

    /// <summary>Returns null on success with the lower-case selector, else why it is invalid.</summary>
    public static string? TryCanonicalize(string text, out string canonical)
    {
        canonical = string.Empty;
        if (text.Length == 0)
        {
            return "selector is empty";
        }

        // RFC 6376 3.1: selector = sub-domain *( "." sub-domain ), sub-domain as RFC 5321 4.1.2 (Let-dig [Ldh-str]).
        // DNS compares names case-insensitively, so the lower-case form is the one spelling we keep.
        var lower = text.ToLowerInvariant();
        foreach (var label in lower.Split('.'))
        {
            if (label.Length is 0 or > 63
                || label[0] == '-'
                || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return $"'{Echo.Of(text)}' is not a valid selector (label '{Echo.Of(label)}'): labels of a-z, 0-9 and '-', 1-63 characters, separated by dots";
            }
        }

        canonical = lower;
        return null;
    }

    /// <summary>Null when "&lt;selector&gt;._domainkey.&lt;domain&gt;" fits in a DNS name, else why not.</summary>
    public static string? CheckKeyRecordName(string selector, string domain)
    {
        var length = selector.Length + KeyRecordInfix.Length + domain.Length;
        return length <= MaxNameLength
            ? null
            : $"the key record name {Echo.Of(selector)}{KeyRecordInfix}{domain} would be {length} characters, more than {MaxNameLength}";
    }
}
