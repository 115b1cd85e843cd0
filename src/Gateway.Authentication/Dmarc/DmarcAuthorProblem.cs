namespace Gateway.Authentication.Dmarc;

/// <summary>
/// Why a message has no single usable RFC5322.From domain (RFC 7489 6.6.1). Any value other than
/// <see cref="None"/> means the message cannot pass DMARC.
/// </summary>
public enum DmarcAuthorProblem
{
    /// <summary>Exactly one From field with exactly one address and a valid domain.</summary>
    None,

    /// <summary>No From field (RFC 5322 3.6 requires exactly one).</summary>
    NoFromField,

    /// <summary>Several From fields, in any letter case (RFC 5322 3.6 allows one).</summary>
    MultipleFromFields,

    /// <summary>The From field holds no address (empty value or an empty group).</summary>
    NoAddress,

    /// <summary>The From field holds several addresses, so there is no single Author Domain.</summary>
    MultipleAddresses,

    /// <summary>The From field uses group syntax (RFC 6854); the author cannot be identified.</summary>
    GroupSyntax,

    /// <summary>The From field cannot be parsed (unbalanced quotes, comments or brackets, NUL, bare CR, stray text).</summary>
    InvalidSyntax,

    /// <summary>The address has no DNS domain: a domain literal, or a name that is not a valid DNS name.</summary>
    InvalidDomain,
}
