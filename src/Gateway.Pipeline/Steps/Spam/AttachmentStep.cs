using System.Globalization;
using Gateway.Abstractions;
using Gateway.Authentication.Results;
using Gateway.Policy;
using Gateway.Spam.Attachments;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// The attachment policy of inbound mail: every part and archive member is typed by its content (magic bytes), zips
/// are looked into down to the archive depth, bombs are found without inflating past the budget, and the recipients'
/// domains say what a finding means. A message is answered once, so the strictest domain decides: any domain that
/// rejects a finding refuses the message with 550 5.7.1 naming it; otherwise the findings become spam reasons
/// (ATTACH_BLOCKED, ATTACH_BOMB, ATTACH_ENCRYPTED, ATTACH_UNCHECKED) for the scorer and an X-Attachment-Findings
/// field. Every finding is logged and counted.
/// </summary>
internal sealed class AttachmentStep(SpamServices spam, ILogger logger) : IMessageStep
{
    private const string FieldName = "X-Attachment-Findings";
    private const int FieldEntries = 5;

    public string Name => "attachments";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var policies = message.Envelope.Recipients
            .Select(r => spam.Policy.For(r.Address.Domain).Attachments)
            .DefaultIfEmpty(spam.Policy.Default.Attachments)
            .OfType<AttachmentPolicy>()
            .Distinct()
            .ToList();
        var forged = Forged(message);
        if (policies.Count == 0)
        {
            return new StepVerdict { Removals = forged };
        }

        // One scan per distinct set of limits (usually one for all domains).
        var scans = new Dictionary<(int, long), AttachmentScan>();
        AttachmentFindings? chosen = null;
        foreach (var policy in policies)
        {
            var limits = (policy.ArchiveDepth, policy.MaxExpanded);
            if (!scans.TryGetValue(limits, out var scan))
            {
                scan = await ScanAsync(message, policy, cancellationToken).ConfigureAwait(false);
                scans[limits] = scan;
            }

            var findings = AttachmentFindings.Evaluate(policy, scan);
            if (findings.Rejection is not null)
            {
                chosen = findings;
                break;
            }

            if (chosen is null || findings.Points > chosen.Points)
            {
                chosen = findings;
            }
        }

        var session = message.Session.SessionId;
        var queueId = message.Message.QueueId;
        foreach (var finding in chosen!.Findings)
        {
            ScannerLog.AttachmentFinding(logger, session, queueId, finding.KindName, finding.Path, finding.Why, finding.Action == AttachmentAction.Reject ? "reject" : "tag");
            spam.Metrics.Detected("attachments", finding.KindName);
        }

        if (chosen.Rejection is { } rejection)
        {
            var why = "attachment \"" + AttachmentFindings.Clean(rejection.Path) + "\" " + AttachmentFindings.Clean(rejection.Why, 200);
            return StepVerdict.Refuse(PipelineReplies.AttachmentRejected(why), "attachment " + rejection.KindName + ": " + rejection.Path + " " + rejection.Why);
        }

        if (chosen.Findings.Count == 0)
        {
            return new StepVerdict { Removals = forged };
        }

        message.SpamInputs.AddRange(chosen.Reasons);
        return new StepVerdict
        {
            Fields = Field(chosen.Findings),
            Removals = forged,
            Reason = "attachments " + string.Join(',', chosen.Reasons.Select(r => r.Name)),
        };
    }

    private async Task<AttachmentScan> ScanAsync(MessageContext message, AttachmentPolicy policy, CancellationToken cancellationToken)
    {
        var limits = AttachmentLimits.Default with { ArchiveDepth = policy.ArchiveDepth, MaxExpanded = policy.MaxExpanded };
        var stream = await message.Message.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var scan = await AttachmentScanner.ScanAsync(stream, limits, cancellationToken).ConfigureAwait(false);
            ScannerLog.AttachmentsScanned(logger, message.Session.SessionId, message.Message.QueueId, scan.Parts, scan.Files.Count, scan.ArchiveEntries, scan.InflatedBytes);
            return scan;
        }
    }

    /// <summary>"X-Attachment-Findings: blocked invoice.zip/setup.exe is a blocked file type (pe); ..." for the first few, folded.</summary>
    private static string Field(IReadOnlyList<AttachmentFinding> findings)
    {
        var entries = findings.Take(FieldEntries)
            .Select(f => f.KindName + " " + AttachmentFindings.Clean(f.Path) + " " + AttachmentFindings.Clean(f.Why, 120))
            .ToList();
        if (findings.Count > FieldEntries)
        {
            entries.Add(string.Create(CultureInfo.InvariantCulture, $"and {findings.Count - FieldEntries} more"));
        }

        return FieldName + ": " + string.Join(";\r\n\t", entries) + "\r\n";
    }

    /// <summary>Only our own findings are believed: the client's fields of that name are dropped.</summary>
    private static List<ContentRange> Forged(MessageContext message)
    {
        var header = message.Message.HeaderSection.Span;
        return [.. HeaderFieldFinder.Find(header, name => name.Equals(FieldName, StringComparison.OrdinalIgnoreCase))
            .Select(r => new ContentRange(r.Start.Value, r.End.Value - r.Start.Value))];
    }
}
