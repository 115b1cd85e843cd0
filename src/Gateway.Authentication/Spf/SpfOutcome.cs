namespace Gateway.Authentication.Spf;

/// <summary>
/// What one check_host() level hands back: the result, the directive that decided it, the reason for an
/// error, and for a fail the record and domain whose exp= applies (RFC 7208 6.2: the record that matched,
/// after redirects; never an included one).
/// </summary>
internal readonly record struct SpfOutcome(SpfResult Result, string? Mechanism, string? Problem, SpfRecord? Record, string? Domain)
{
    public static SpfOutcome Error(SpfResult result, string problem, string? mechanism = null) => new(result, mechanism, problem, null, null);
}
