using Gateway.Syntax;

namespace Gateway.Policy.Validation;

/// <summary>Validates DKIM/ARC selectors and brings them to lower case.</summary>
internal static class SelectorParser
{
    /// <summary>The fixed middle of a key record name, "&lt;selector&gt;._domainkey.&lt;domain&gt;" (RFC 6376 3.6.2.1).</summary>
    public const string KeyRecordInfix = "._domainkey.";

    /// <summary>Returns null on success with the lower-case selector, else why it is invalid.</summary>
    public static string? TryCanonicalize(string text, out string canonical)
    {
        // RFC 6376 3.1: selector = sub-domain *( "." sub-domain ), sub-domain as RFC 5321 4.1.2 (Let-dig [Ldh-str]);
        // the domain follows it, so its last label may be all-numeric. DNS compares names case-insensitively, so
        // the lower-case form is the one spelling we keep.
        return DomainName.TryCanonicalize(text, DomainNameOptions.Relative, out canonical) switch
        {
            DomainNameError.None => null,
            DomainNameError.Empty => "selector is empty",
            _ => $"'{Echo.Of(text)}' is not a valid selector (label '{Echo.Of(DomainNameParser.FirstInvalidLabel(text, DomainNameOptions.None) ?? text)}'): labels of a-z, 0-9 and '-', 1-63 characters, separated by dots",
        };
    }

    /// <summary>Null when "&lt;selector&gt;._domainkey.&lt;domain&gt;" fits in a DNS name, else why not.</summary>
    public static string? CheckKeyRecordName(string selector, string domain)
    {
        var length = selector.Length + KeyRecordInfix.Length + domain.Length;
        return length <= DomainName.MaxLength
            ? null
            : $"the key record name {Echo.Of(selector)}{KeyRecordInfix}{domain} would be {length} characters, more than {DomainName.MaxLength}";
    }
}
