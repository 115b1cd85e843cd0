using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Content;
using Gateway.Pipeline.Recipients;
using Gateway.Pipeline.Steps;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Flow;

/// <summary>
/// The message pipeline of one policy snapshot: the trust decision, the steps the policy switches on, and the two
/// declared flows (<see cref="InboundFlow"/>, <see cref="OutboundFlow"/>). Runs one direction's part of a message
/// and turns the steps' verdicts into a refusal or the amendment the spool stores with the message.
/// </summary>
public sealed class MessagePipeline
{
    private readonly IReadOnlyList<FlowStep> _inbound;
    private readonly IReadOnlyList<FlowStep> _outbound;
    private readonly ILogger _logger;

    public MessagePipeline(
        GatewayPolicy policy, SenderAuthentication? authentication, ILogger logger, SmimeServices? smime = null, SpamServices? spam = null, RecipientVerification? recipients = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(logger);
        Policy = policy;
        Trust = new TrustDecider(policy);
        TlsRequirement = new TlsRequirement(policy.Tls.RequireFor);
        Authentication = authentication;
        _logger = logger;
        var steps = new PipelineSteps(policy, Trust, authentication, smime, spam, logger);
        Encryption = steps.Encryption;
        _inbound = InboundFlow.Declare(steps).Where(s => s.Step is not null).ToList();
        _outbound = OutboundFlow.Declare(steps).Where(s => s.Step is not null).ToList();
        SpfRuns = steps.Spf is not null;
        Reputation = steps.SpamScore is not null ? spam?.Reputation : null;
        Recipients = recipients ?? new RecipientVerification(policy.Recipients);
    }

    public GatewayPolicy Policy { get; }

    /// <summary>The one trust decision of this snapshot.</summary>
    public TrustDecider Trust { get; }

    /// <summary>Which clients and senders must start TLS before MAIL (beyond the listener's require_tls).</summary>
    public TlsRequirement TlsRequirement { get; }

    /// <summary>SPF, DKIM, ARC and DMARC services and keys of this snapshot; null when the host built none.</summary>
    public SenderAuthentication? Authentication { get; }

    /// <summary>Outbound S/MIME encryption decisions (RCPT, message start, the step); null when nothing is encrypted.</summary>
    public SmimeEncryptionPlanner? Encryption { get; }

    /// <summary>DNS lists and client checks as spam score inputs; null when the snapshot scores no spam.</summary>
    public ReputationChecks? Reputation { get; }

    /// <summary>Which recipients of our domains exist, and how large a message each domain takes (recipients:).</summary>
    public RecipientVerification Recipients { get; }

    /// <summary>The bound on a message's header section (limits.header_section).</summary>
    public int MaxHeaderSection => Policy.Limits.HeaderSection;

    internal ILogger Logger => _logger;

    /// <summary>Whether the SPF check runs for this client (it starts at MAIL FROM).</summary>
    public bool RunsSpf(ClientTrust trust) => SpfRuns && StepScope.External.Includes(trust);

    private bool SpfRuns { get; }

    /// <summary>The steps a message part of this direction from this client goes through, in order.</summary>
    public IReadOnlyList<IMessageStep> StepsFor(ClientTrust trust, MailDirection direction)
    {
        ArgumentNullException.ThrowIfNull(trust);
        var flow = direction == MailDirection.Inbound ? _inbound : _outbound;
        return flow.Where(s => s.Scope.Includes(trust)).Select(s => s.Step!).ToList();
    }

    /// <summary>
    /// Runs the flow of <paramref name="message"/>'s direction. Never throws for a step's failure (a defect, an I/O
    /// error): that is a 451, never an acceptance; only cancellation by the caller's token throws.
    /// </summary>
    internal async Task<PartOutcome> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        var removals = new List<ContentRange>();
        var summaries = new List<string>();
        QuarantineNote? hold = null;
        foreach (var step in StepsFor(message.Trust, message.Direction))
        {
            StepVerdict verdict;
            try
            {
                verdict = await step.RunAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                PipelineLog.StepFailed(_logger, message.Session.SessionId, message.Message.QueueId, step.Name, ex);
                summaries.Add(step.Name + " failed");
                return PartOutcome.Refused(PipelineReplies.LocalError, step.Name, Summarize(summaries, null));
            }

            PipelineLog.StepDone(_logger, message.Session.SessionId, message.Message.QueueId, step.Name, verdict.Action, verdict.Reason ?? string.Empty);
            if (verdict.Summary is { Length: > 0 } summary)
            {
                summaries.Add(summary);
            }
            else if (verdict.Refusal is { } unsummarized)
            {
                // The transaction's log line must say which check refused the message, not "verdict none" (which
                // reads as "nothing was checked") or an earlier step's "spam 0.0/5.0 none".
                summaries.Add(step.Name + (unsummarized.IsTransientFailure ? " tempfail" : " reject"));
            }

            if (verdict.Refusal is { } refusal)
            {
                PipelineLog.ContentRefused(_logger, message.Session.SessionId, message.Message.QueueId, step.Name, refusal, verdict.Reason ?? string.Empty);
                return PartOutcome.Refused(refusal, step.Name, Summarize(summaries, null));
            }

            if (verdict.Fields is { Length: > 0 } added)
            {
                fields.Add(added);
            }

            removals.AddRange(verdict.Removals);
            if (verdict.ReplacementTail is { } tail)
            {
                // The removals so far refer to the content being replaced; they are applied now, once.
                await message.ReplaceContentAsync(message.Message.Replace(removals, tail)).ConfigureAwait(false);
                removals.Clear();
            }

            hold ??= verdict.Quarantine;
        }

        var amendment = message.Message.IsReplaced
            ? BuildReplacement(message, fields, removals, hold)
            : BuildAmendment(message.Message.HeaderSection.Span, fields, removals, hold);

        // RFC 8689 4: with the REQUIRETLS MAIL option the TLS-Required field is ignored (it may still be relayed):
        // the option, given over a TLS session, wins over a header field anyone on the way could have added. So the
        // two flags delivery reads are never both set.
        var tlsRequiredNo = !message.Envelope.MailParameters.RequireTls && TlsRequiredField.SaysNo(message.Message.HeaderSection.Span);
        return PartOutcome.Accepted(tlsRequiredNo ? amendment with { TlsRequiredNo = true } : amendment, Summarize(summaries, hold));
    }

    /// <summary>The steps' summaries in order, after "quarantined (SOURCE)" when the message is held; null: nothing to say.</summary>
    private static string? Summarize(List<string> summaries, QuarantineNote? hold)
    {
        var text = string.Join(", ", summaries);
        return hold is not null ? $"quarantined ({hold.Source}){(text.Length > 0 ? ": " + text : string.Empty)}"
            : text.Length > 0 ? text
            : null;
    }

    /// <summary>Each step's fields above the earlier ones; then, when fields go, the header section without them.</summary>
    private static MessageAmendment BuildAmendment(ReadOnlySpan<byte> headerSection, List<string> fields, List<ContentRange> removals, QuarantineNote? hold)
    {
        var prefix = FieldsOnTop(fields);
        long replaced = 0;
        if (removals.Count > 0)
        {
            prefix.Write(HeaderSectionEditor.Without(headerSection, removals, dropTerminator: false));
            replaced = headerSection.Length;
        }

        return new MessageAmendment { Prefix = prefix.ToArray(), ReplacedLength = replaced, Quarantine = hold };
    }

    /// <summary>A step replaced the content: the amendment carries all of it, in place of everything the client sent.</summary>
    private static MessageAmendment BuildReplacement(MessageContext message, List<string> fields, List<ContentRange> removals, QuarantineNote? hold)
    {
        var prefix = FieldsOnTop(fields);
        var current = message.Message;
        if (!current.TryGetContent(out var content))
        {
            throw new InvalidOperationException("Replaced content is held in memory.");
        }

        var section = current.HeaderSection.Span;
        prefix.Write(removals.Count > 0 ? HeaderSectionEditor.Without(section, removals, dropTerminator: false) : section);
        prefix.Write(content.Span[section.Length..]);
        return new MessageAmendment { Prefix = prefix.ToArray(), ReplacedLength = message.ClientLength, Quarantine = hold };
    }

    private static MemoryStream FieldsOnTop(List<string> fields)
    {
        var prefix = new MemoryStream();
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            prefix.Write(Encoding.UTF8.GetBytes(fields[i]));
        }

        return prefix;
    }
}
