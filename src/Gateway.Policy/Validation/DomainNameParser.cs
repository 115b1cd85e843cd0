using Gateway.Syntax;

namespace Gateway.Policy.Validation;

/// <summary>
/// Domain names written in policy, validated and brought to the canonical form <see cref="Gateway.Abstractions.Mailbox"/>
/// uses (<see cref="DomainName"/>: lower-case ASCII, U-labels converted to A-labels, no trailing dot), with the
/// reason an admin can act on when they are not.
/// </summary>
internal static class DomainNameParser
{
    /// <summary>Returns null on success with the canonical name, else why the name is invalid.</summary>
    public static string? TryCanonicalize(string text, bool requireFullyQualified, out string canonical)
    {
        var options = DomainNameOptions.AllowUnicode | (requireFullyQualified ? DomainNameOptions.RequireMultipleLabels : DomainNameOptions.None);
        return DomainName.TryCanonicalize(text, options, out canonical) switch
        {
            DomainNameError.None => null,
            DomainNameError.Empty => "domain name is empty",

            // RFC 5321 4.1.2: Domain has no root dot; one spelling per destination.
            DomainNameError.TrailingDot => $"'{Echo.Of(text)}': write domain names without a trailing dot",
            DomainNameError.NumericTopLevelLabel => $"'{Echo.Of(text)}' is not a domain name (numeric top-level label)",
            DomainNameError.SingleLabel => $"'{Echo.Of(text)}' is not a fully qualified domain name",
            _ => FirstInvalidLabel(text, options) is { } label
                ? $"'{Echo.Of(text)}' is not a valid domain name (label '{Echo.Of(label)}')"
                : $"'{Echo.Of(text)}' is longer than {DomainName.MaxLength} characters",
        };
    }

    /// <summary>The label to name in a message: the first that is not valid on its own; null when each one is.</summary>
    public static string? FirstInvalidLabel(string text, DomainNameOptions options) =>
        text.Split('.').FirstOrDefault(label => !DomainName.IsValid(label, options | DomainNameOptions.Relative));
}
