using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Results;
using Gateway.Authentication.Spf;
using Gateway.Policy;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;
using MimeKit;
using DmarcDisposition = Gateway.Authentication.Dmarc.DmarcPolicy;

namespace Gateway.Pipeline.Authentication;

/// <summary>
/// The inbound check order over one received message (DESIGN "message pipeline"): parse once, DKIM, ARC, the
/// SPF result from MAIL time, DMARC with the local overrides, then one Authentication-Results field (after
/// dropping fields that claim our authserv-id) and an ARC set when sealing is on. The verifiers return data;
/// what happens to the message is decided here, from the policy.
/// </summary>
internal static class InboundChecks
{
    // RFC 5322 places no limit on the header section; the spool's own bound applies to what we parse here.
    private const int MaxHeaderSection = 1024 * 1024;

    // Messages up to this size are read whole into memory for the checks.
    private const int MaxRawVerification = 4 * 1024 * 1024;

    private static readonly ParserOptions Parser = new() { MaxMimeDepth = 64 };

    public static readonly SmtpReply DmarcReject = new(550, "5.7.1", "Message rejected by the DMARC policy of the sender's domain");
    public static readonly SmtpReply AuthorInvalid = new(550, "5.7.1", "Message must have exactly one valid From address (RFC 7489 6.6.1)");
    public static readonly SmtpReply DmarcTempError = new(451, "4.7.1", "Temporary failure checking the sender's DMARC policy, try again later");

    public static async Task<CheckOutcome> RunAsync(
        SenderAuthentication auth, InboundFacts facts, IInspectableMessageWriter writer, ILogger logger, CancellationToken ct)
    {
        var policy = auth.Policy;
        // Most mail is read once into memory and everything works on that copy; a message over the bound is read
        // through the spool file instead (persistent parse, header section only), so memory stays bounded.
        var whole = await ContentReader.TryReadAllAsync(writer, MaxRawVerification, ct).ConfigureAwait(false);
        var headerSection = whole is not null
            ? ContentReader.HeaderSectionOf(whole, MaxHeaderSection)
            : await ContentReader.ReadHeaderSectionAsync(writer, MaxHeaderSection, ct).ConfigureAwait(false);

        IReadOnlyList<DkimSignatureResult> dkim = [];
        var arc = ArcChainResult.NoChain;
        if (whole is not null)
        {
            // The common message is never parsed into MIME: the usual signatures are checked over the raw bytes, and
            // without ARC fields there is no chain to validate. MimeKit parses it only when something needs it.
            MimeMessage? parsed = null;
            async Task<MimeMessage> ParseAsync(CancellationToken token)
            {
                // Persistent: MimeKit keeps offsets into the stream instead of copying the body, so the stream stays
                // open with the message (a MemoryStream holds nothing to release).
                parsed ??= await MimeMessage.LoadAsync(Parser, new MemoryStream(whole, writable: false), persistent: true, token).ConfigureAwait(false);

                return parsed;
            }

            if (policy.Dkim.Verify)
            {
                dkim = await auth.Dkim.VerifyAsync(whole, ParseAsync, ct).ConfigureAwait(false);
            }

            if (policy.Arc.Verify && ArcVerifierService.HasArcFields(headerSection))
            {
                arc = await auth.Arc.VerifyAsync(await ParseAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
        }
        else if (policy.Dkim.Verify || policy.Arc.Verify)
        {
            await using var content = await writer.OpenContentAsync(ct).ConfigureAwait(false);

            // Persistent: MimeKit keeps offsets into the (seekable) stream instead of copying the body.
            var message = await MimeMessage.LoadAsync(Parser, content, persistent: true, ct).ConfigureAwait(false);
            if (policy.Dkim.Verify)
            {
                dkim = await auth.Dkim.VerifyAsync(message, ct).ConfigureAwait(false);
            }

            if (policy.Arc.Verify)
            {
                arc = await auth.Arc.VerifyAsync(message, ct).ConfigureAwait(false);
            }
        }

        var spf = facts.Spf is null ? null : await facts.Spf.ConfigureAwait(false);
        var author = AuthorDomainParser.Parse(headerSection);
        DmarcEvaluation? dmarc = null;
        DmarcInput? input = null;
        if (policy.Dmarc.Verify)
        {
            input = new DmarcInput
            {
                Author = author,
                Spf = spf?.Result ?? SpfResult.None,
                SpfDomain = spf?.Domain,
                SpfScope = spf?.Identity == SpfCheck.HeloIdentity ? DmarcSpfScope.Helo : DmarcSpfScope.MailFrom,
                Dkim = dkim.Select(d => new DmarcDkimInput(d.Result, d.Domain, d.Selector)).ToList(),
            };
            dmarc = ApplyOverrides(policy, facts, arc, await auth.Dmarc.EvaluateAsync(input, ct).ConfigureAwait(false));
        }

        var results = new AuthenticationResultsBuilder(auth.AuthservId);
        if (spf is not null)
        {
            results.AddSpf(spf.Result, spf.Identity == SpfCheck.MailFromIdentity ? spf.Sender : null, facts.Helo, spf.Problem);
        }

        if (policy.Dkim.Verify)
        {
            if (dkim.Count == 0)
            {
                results.AddDkim(DkimResult.None, null);
            }

            foreach (var signature in dkim)
            {
                results.AddDkim(signature.Result, signature.Domain, signature.Selector, signature.HeaderB, signature.Reason);
            }
        }

        if (policy.Arc.Verify)
        {
            results.AddArc(arc.Result.ToString().ToLowerInvariant(), arc.Reason);
        }

        if (dmarc is not null)
        {
            results.AddDmarc(dmarc);
        }

        var resultsValue = results.BuildValue();
        PipelineLog.AuthenticationResults(logger, facts.SessionId, resultsValue);

        var refusal = Decide(policy, dmarc);

        // A message answered 451 comes back and is evaluated again: only the final evaluation is reported.
        if (dmarc is not null && input is not null && auth.Reports is not null && refusal?.Code is not (>= 400 and < 500)
            && DmarcReportRecord.FromEvaluation(dmarc, input, facts.Client, facts.MailFromDomain, auth.Time.GetUtcNow(), facts.FirstRecipientDomain) is { } record)
        {
            await auth.Reports.AppendAsync(record, ct).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            return CheckOutcome.Refuse(refusal);
        }

        var prepend = new StringBuilder();
        if (auth.SealKey is { } sealKey)
        {
            var all = whole ?? await ContentReader.ReadAllAsync(writer, ct).ConfigureAwait(false);
            // The ARC-Authentication-Results field carries our results without the authserv-id (the sealer adds it).
            // Unfolded (CRLF before WSP removed): the sealer folds its own field and refuses line breaks in what it is given.
            var resultsPart = resultsValue[(resultsValue.IndexOf(';', StringComparison.Ordinal) + 1)..].Replace("\r\n", string.Empty, StringComparison.Ordinal).Trim();
            var seal = auth.Sealer.Seal(all, arc, auth.AuthservId, resultsPart, sealKey);
            if (seal.Headers is not null)
            {
                prepend.Append(seal.Headers);
            }
        }

        prepend.Append(AuthenticationResultsBuilder.FieldName).Append(": ").Append(resultsValue).Append("\r\n");
        var removals = AuthenticationResultsScanner.FindOwnFields(headerSection, auth.AuthservId)
            .Select(r => new ContentRange(r.Start.GetOffset(headerSection.Length), r.End.GetOffset(headerSection.Length) - r.Start.GetOffset(headerSection.Length)))
            .ToList();

        string? hold = null;
        if (dmarc is { Disposition: DmarcDisposition.Quarantine } && policy.Dmarc.Enforce && policy.Dmarc.Quarantine == DmarcQuarantineAction.Hold)
        {
            hold = $"quarantine: dmarc={dmarc.Result.ToString().ToLowerInvariant()} policy.from={dmarc.PolicyDomain} p=quarantine";
        }

        return CheckOutcome.Accept(new MessageAmendment
        {
            PrependHeaders = Encoding.UTF8.GetBytes(prepend.ToString()),
            RemoveHeaderFields = removals,
            HoldReason = hold,
        });
    }

    /// <summary>Local overrides (RFC 7489 7.2 PolicyOverrideType): exceptions, trusted forwarders, trusted ARC sealers.</summary>
    private static DmarcEvaluation ApplyOverrides(AuthenticationPolicy policy, InboundFacts facts, ArcChainResult arc, DmarcEvaluation evaluation)
    {
        if (evaluation.Result != DmarcResult.Fail || evaluation.Disposition == DmarcDisposition.None)
        {
            return evaluation;
        }

        if (evaluation.HeaderFrom is { } from && policy.Dmarc.Exceptions.Any(d => DomainName.IsSameOrSubdomain(from, d)))
        {
            return evaluation with { Override = DmarcPolicyOverride.LocalPolicy, OverrideComment = "exception for " + from, Disposition = DmarcDisposition.None };
        }

        if (policy.Dmarc.TrustedForwarders.Any(n => n.Contains(facts.Client)))
        {
            return evaluation with { Override = DmarcPolicyOverride.TrustedForwarder, OverrideComment = "trusted forwarder " + facts.Client, Disposition = DmarcDisposition.None };
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

    private static SmtpReply? Decide(AuthenticationPolicy policy, DmarcEvaluation? dmarc)
    {
        if (dmarc is null || !policy.Dmarc.Enforce)
        {
            return null;
        }

        if (!dmarc.Author.IsValid && dmarc.Override is null)
        {
            return AuthorInvalid;
        }

        return dmarc.Result switch
        {
            DmarcResult.TempError when policy.Dmarc.TempError == DmarcTempErrorAction.TempFail => DmarcTempError,
            DmarcResult.Fail when dmarc.Disposition == DmarcDisposition.Reject => DmarcReject,
            _ => null,
        };
    }
}
