namespace Gateway.Spam.Rules;

/// <summary>
/// One rule as written in policy: a regular expression over one <see cref="SpamRuleTarget"/>, and the points a match
/// adds (negative points for rules that recognise wanted mail).
/// </summary>
/// <param name="Name">Shown in the verdict's reasons, so upper case and short by convention ("SUBJ_VIAGRA").</param>
/// <param name="Target">What the pattern is matched against.</param>
/// <param name="Pattern">A .NET regular expression, matched case-insensitively.</param>
/// <param name="Score">Points added on a match.</param>
/// <param name="HeaderName">For <see cref="SpamRuleTarget.Header"/> rules, the field to match; null for every field.</param>
public sealed record SpamRuleDefinition(string Name, SpamRuleTarget Target, string Pattern, double Score, string? HeaderName = null);
