using Gateway.Authentication.PublicSuffix;

namespace Gateway.Authentication.Dmarc;

/// <summary>
/// The RFC5322.From identity DMARC evaluates (RFC 7489 3.1 "Author Domain"): the domain in normalized form
/// (A-labels, lowercase, no trailing dot), or the reason there is none.
/// </summary>
/// <param name="Domain">The Author Domain; null when <paramref name="Problem"/> is not None.</param>
/// <param name="Address">The address as written (for logs and failure reports), when one was found.</param>
/// <param name="Problem">Why there is no usable Author Domain.</param>
public sealed record DmarcAuthor(string? Domain, string? Address, DmarcAuthorProblem Problem)
{
    /// <summary>True when there is exactly one usable Author Domain.</summary>
    public bool IsValid => Problem == DmarcAuthorProblem.None && Domain is not null;

    /// <summary>An author known by its domain (e.g. taken from a parsed message); validated and normalized here.</summary>
    public static DmarcAuthor ForDomain(string domain, string? address = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return ObservedDomain.TryNormalize(domain, out var normalized)
            ? new DmarcAuthor(normalized, address, DmarcAuthorProblem.None)
            : new DmarcAuthor(null, address, DmarcAuthorProblem.InvalidDomain);
    }

    /// <summary>An author that could not be identified.</summary>
    public static DmarcAuthor Invalid(DmarcAuthorProblem problem, string? address = null)
    {
        if (problem == DmarcAuthorProblem.None)
        {
            throw new ArgumentException("A problem is required.", nameof(problem));
        }

        return new DmarcAuthor(null, address, problem);
    }
}
