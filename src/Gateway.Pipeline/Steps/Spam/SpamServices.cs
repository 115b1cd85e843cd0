using Gateway.Policy;
using Gateway.Spam.Classifier;
using Gateway.Spam.External;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// The content scorer of one policy snapshot: the policy's rules compiled once and the classifier model the host
/// loaded from spam.model (null: rules and authentication results only), and the clients of the external scanners
/// the policy names.
/// </summary>
public sealed class SpamServices
{
    public SpamServices(SpamPolicy policy, SpamModel? model, IScannerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        Metrics = metrics ?? IScannerMetrics.None;
        ClamAv = policy.ClamAv switch
        {
            { SocketPath: { } path } => new ClamdClient(path),
            { Endpoint: { } endpoint } => new ClamdClient(endpoint.Host, endpoint.Port),
            _ => null,
        };
        Rspamd = policy.Rspamd is { } rspamd ? new RspamdClient(rspamd.Url) : null;
        var rules = SpamRuleSet.Create(policy.Rules.Select(r => new SpamRuleDefinition(r.Name, Target(r.Target), r.Pattern, r.Score, r.Header)));
        Scorer = new SpamScorer(rules, model, SpamScoringOptions.Default with { Threshold = policy.Default.Threshold });

        // Once here, off the mail path: the first message after a start would otherwise pay for loading and compiling
        // the scanner's, the rules' and the classifier's code (bench/run-relay.sh --full-policy: the first probe under load took 182 ms without this, 124 to 149 ms with it).
        Scorer.Score(WarmUpMessage, SpamContext.None);
    }

    private static ReadOnlyMemory<byte> WarmUpMessage { get; } = System.Text.Encoding.ASCII.GetBytes(
        "From: Warm Up <warm-up@example.invalid>\r\nTo: nobody@example.invalid\r\nSubject: Start-up\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
        + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA few words and a link: https://example.invalid/start\r\n"
        + "--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + "<p>A few <b>words</b> and <a href=3D\"https://example.invalid/start\">a link</a>.</p>\r\n--b--\r\n");

    public SpamPolicy Policy { get; }

    public SpamScorer Scorer { get; }

    public IScannerMetrics Metrics { get; }

    /// <summary>clamd's client; null without spam.clamav.</summary>
    public ClamdClient? ClamAv { get; }

    /// <summary>rspamd's client; null without spam.rspamd.</summary>
    public RspamdClient? Rspamd { get; }
    /// <summary>DNS lists and client checks; null when the host built none (no DNS, or `gateway spam` tools).</summary>
    public ReputationChecks? Reputation { get; init; }

    private static SpamRuleTarget Target(SpamRuleTargetPolicy target) => target switch
    {
        SpamRuleTargetPolicy.Header => SpamRuleTarget.Header,
        SpamRuleTargetPolicy.Body => SpamRuleTarget.Body,
        SpamRuleTargetPolicy.Raw => SpamRuleTarget.Raw,
        SpamRuleTargetPolicy.Uri => SpamRuleTarget.UriDomain,
        SpamRuleTargetPolicy.Attachment => SpamRuleTarget.AttachmentName,
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };
}
