using Gateway.Abstractions;
using Gateway.Authentication.Arc;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;
using Gateway.Policy;
using Gateway.Syntax;
using DmarcDisposition = Gateway.Authentication.Dmarc.DmarcPolicy;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// RFC 7489: the author domain's policy applied to the SPF and DKIM results, with the local overrides (exceptions,
/// trusted forwarders, trusted ARC sealers), then what the policy says to do: reject, answer 451 on a temporary
/// error, hold a quarantined message, or only report. Evaluations are recorded for aggregate reports.
/// </summary>
internal sealed class DmarcStep(SenderAuthentication auth) : IMessageStep
{
    public string Name => "dmarc";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var state = message.Authentication;
        var policy = auth.Policy;
        var spf = state.Spf;
        var input = new DmarcInput
        {
            Author = AuthorDomainParser.Parse(message.Message.HeaderSection.Span),
            Spf = spf?.Result ?? SpfResult.None,
            SpfDomain = spf?.Domain,
            SpfScope = spf?.Identity == SpfCheck.HeloIdentity ? DmarcSpfScope.Helo : DmarcSpfScope.MailFrom,
            Dkim = (state.Dkim ?? []).Select(d => new DmarcDkimInput(d.Result, d.Domain, d.Selector)).ToList(),
        };
        var evaluation = ApplyOverrides(policy, message.Session, state.Arc ?? ArcChainResult.NoChain, await auth.Dmarc.EvaluateAsync(input, cancellationToken).ConfigureAwait(false));
        state.Dmarc = evaluation;

        var refusal = Decide(policy, evaluation);

        // A message answered 451 comes back and is evaluated again: only the final evaluation is reported.
        if (auth.Reports is not null && refusal is not { IsTransientFailure: true }
            && DmarcReportRecord.FromEvaluation(
                evaluation, input, message.Session.ClientAddress, message.Envelope.From?.Domain, auth.Time.GetUtcNow(), message.Envelope.Recipients[0].Address.Domain) is { } record)
        {
            await auth.Reports.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            return StepVerdict.Refuse(refusal, $"dmarc={evaluation.Result.ToString().ToLowerInvariant()} policy.from={evaluation.PolicyDomain}");
        }

        if (evaluation is { Disposition: DmarcDisposition.Quarantine } && policy.Dmarc.Enforce && policy.Dmarc.Quarantine == DmarcQuarantineAction.Hold)
        {
            var result = evaluation.Result.ToString().ToLowerInvariant();
            return new StepVerdict
            {
                Quarantine = new QuarantineNote("dmarc", $"dmarc={result} policy.from={evaluation.PolicyDomain} p=quarantine"),
                Summary = $"dmarc={result} p=quarantine",
            };
        }

        return StepVerdict.Continue;
    }

    /// <summary>Local overrides (RFC 7489 7.2 PolicyOverrideType): exceptions, trusted forwarders, trusted ARC sealers.</summary>
    private static DmarcEvaluation ApplyOverrides(AuthenticationPolicy policy, SessionFacts session, ArcChainResult arc, DmarcEvaluation evaluation)
    {
        if (evaluation.Result != DmarcResult.Fail || evaluation.Disposition == DmarcDisposition.None)
        {
            return evaluation;
        }

        if (evaluation.HeaderFrom is { } from && policy.Dmarc.Exceptions.Any(d => DomainName.IsSameOrSubdomain(from, d)))
        {
            return evaluation with { Override = DmarcPolicyOverride.LocalPolicy, OverrideComment = "exception for " + from, Disposition = DmarcDisposition.None };
        }

        var client = session.ClientAddress;
        if (policy.Dmarc.TrustedForwarders.Any(n => n.Contains(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client)))
        {
            return evaluation with { Override = DmarcPolicyOverride.TrustedForwarder, OverrideComment = "trusted forwarder " + client, Disposition = DmarcDisposition.None };
        }

        // RFC 8617 7.2: a chain that validates, sealed last by an intermediary we trust, whose own results said the
        // message passed DMARC before it was changed (a mailing list, a forwarder).
        if (arc.Result == ArcResult.Pass && arc.LatestHop is { } hop
            && policy.Arc.TrustedSealers.Any(s => string.Equals(s, hop.Domain, StringComparison.OrdinalIgnoreCase))
            && arc.LatestClaims is { } claims
            && claims.Results.Any(c => string.Equals(c.Method, "dmarc", StringComparison.OrdinalIgnoreCase) && string.Equals(c.Result, "pass", StringComparison.OrdinalIgnoreCase)))
        {
            return evaluation with { Override = DmarcPolicyOverride.Forwarded, OverrideComment = "arc=pass sealed by " + hop.Domain, Disposition = DmarcDisposition.None };
        }

        return evaluation;
    }

    private static SmtpReply? Decide(AuthenticationPolicy policy, DmarcEvaluation dmarc)
    {
        if (!policy.Dmarc.Enforce)
        {
            return null;
        }

        if (!dmarc.Author.IsValid && dmarc.Override is null)
        {
            return PipelineReplies.AuthorInvalid;
        }

        return dmarc.Result switch
        {
            DmarcResult.TempError when policy.Dmarc.TempError == DmarcTempErrorAction.TempFail => PipelineReplies.DmarcTempError,
            DmarcResult.Fail when dmarc.Disposition == DmarcDisposition.Reject => PipelineReplies.DmarcReject,
            _ => null,
        };
    }
}
