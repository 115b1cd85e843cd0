using System.Text.RegularExpressions;
using Gateway.Spam.Scanning;
using Gateway.Spam.Scoring;

namespace Gateway.Spam.Rules;

/// <summary>
/// The pattern rules of one policy, compiled once and shared by every message. Patterns run with a match timeout
/// because they come from an administrator and meet attacker-chosen text: a pattern that backtracks past its budget
/// is skipped for that message (and named in the verdict), never allowed to stall a session or throw.
/// </summary>
public sealed class SpamRuleSet
{
    /// <summary>
    /// The Generic Test for Unsolicited Bulk Email: a string any spam filter must treat as spam, so that an
    /// administrator can prove the spam path end to end with an ordinary mail client.
    /// </summary>
    public const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    /// <summary>Points for GTUBE: far above any threshold, so that no negative rule can pull it back under.</summary>
    public const double GtubeScore = 1000;

    /// <summary><see cref="Gtube"/> as octets (it is ASCII), searched in the message as received.</summary>
    private static ReadOnlySpan<byte> GtubeOctets => "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"u8;

    /// <summary>
    /// Default per-pattern budget. A sane rule matches a few hundred kilobytes in microseconds, so this only ever cuts
    /// off a backtracking one; it is wall-clock time, and a tighter budget (50 ms was tried) mistook a scheduler
    /// pause on a loaded two-core machine for backtracking and skipped a sane rule.
    /// </summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(250);

    private readonly SpamRule[] _rules;

    private SpamRuleSet(SpamRule[] rules) => _rules = rules;

    /// <summary>No rules besides GTUBE.</summary>
    public static SpamRuleSet Empty { get; } = new([]);

    public int Count => _rules.Length;

    /// <summary>Compiles the definitions; a pattern that does not compile throws <see cref="ArgumentException"/>
    /// naming the rule (policy validation calls <see cref="TryCompile"/> first to report it with its position).</summary>
    public static SpamRuleSet Create(IEnumerable<SpamRuleDefinition> definitions, TimeSpan? matchTimeout = null)
    {
        var timeout = matchTimeout ?? DefaultMatchTimeout;
        var rules = new List<SpamRule>();
        foreach (var definition in definitions)
        {
            if (!TryCompile(definition.Pattern, timeout, out var regex, out var error))
            {
                throw new ArgumentException($"spam rule {definition.Name}: {error}", nameof(definitions));
            }

            rules.Add(new SpamRule(definition, regex));
        }

        return new SpamRuleSet([.. rules]);
    }

    /// <summary>Compiles one pattern the way rules are compiled; false with the parser's message when it is invalid.</summary>
    public static bool TryCompile(string pattern, TimeSpan matchTimeout, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Regex? regex, out string? error)
    {
        try
        {
            // Culture-invariant and case-insensitive as mail rules conventionally are; compiled because a rule runs
            // against every inbound message.
            regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, matchTimeout);

            // The compiled matcher is JIT-compiled on its first call, and that call's clock includes the compilation:
            // on a busy machine the first real message would time the rule out. One call here pays it up front.
            regex.IsMatch(string.Empty);
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Runs GTUBE and every rule over the scanned message, adding the hits to <paramref name="reasons"/>.</summary>
    internal void Evaluate(ScannedMessage message, List<SpamReason> reasons, CancellationToken cancellationToken)
    {
        if (message.RawBytes.Span.IndexOf(GtubeOctets) >= 0 || message.BodyText.Contains(Gtube, StringComparison.Ordinal))
        {
            reasons.Add(new SpamReason("GTUBE", GtubeScore));
        }

        foreach (var rule in _rules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (Matches(rule, message))
                {
                    reasons.Add(new SpamReason(rule.Name, rule.Score));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // The rule is skipped, not the message: zero points, but the verdict shows the rule ran out of time
                // so an administrator can find and fix a pattern that backtracks.
                reasons.Add(new SpamReason(rule.Name + "_TIMEOUT", 0));
            }
        }
    }

    private static bool Matches(SpamRule rule, ScannedMessage message) => rule.Target switch
    {
        SpamRuleTarget.Header => message.Headers.Any(h =>
            (rule.HeaderName is null || string.Equals(h.Name, rule.HeaderName, StringComparison.OrdinalIgnoreCase))
            && rule.Pattern.IsMatch(h.Value)),
        SpamRuleTarget.Body => rule.Pattern.IsMatch(message.BodyText),
        SpamRuleTarget.Raw => rule.Pattern.IsMatch(message.Raw),
        SpamRuleTarget.UriDomain => message.Links.Any(l => rule.Pattern.IsMatch(l.Host)),
        SpamRuleTarget.AttachmentName => message.AttachmentNames.Any(rule.Pattern.IsMatch),
        _ => false,
    };
}
