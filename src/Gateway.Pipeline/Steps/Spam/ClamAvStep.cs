using System.Globalization;
using System.Net.Sockets;
using Gateway.Abstractions;
using Gateway.Authentication.Results;
using Gateway.Policy;
using Gateway.Spam.External;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// Virus scanning with clamd: the message as received is streamed to it (INSTREAM) within the policy's timeout. A
/// virus is refused with 554 5.7.1 naming the signature, or kept in the quarantine (spam.clamav.virus_action), and is
/// never delivered. A clamd that is down, times out or
/// answers with an error means what spam.clamav.on_failure says: 451 4.7.1 (tempfail), or delivery with
/// "X-Virus-Scanned: clamav; unavailable", a warning and a metric (accept): never a silent pass. A message larger
/// than max_size is not sent and is marked "skipped" the same visible way. A clean message is marked
/// "X-Virus-Scanned: clamav; clean"; the client's own X-Virus-Scanned fields are dropped.
/// </summary>
internal sealed class ClamAvStep(SpamServices spam, ClamAvPolicy policy, ClamdClient client, ILogger logger) : IMessageStep
{
    private const string FieldName = "X-Virus-Scanned";

    public string Name => "clamav";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var session = message.Session.SessionId;
        var queueId = message.Message.QueueId;
        var forged = Forged(message);
        if (message.Message.Length > policy.MaxSize)
        {
            ScannerLog.ScannerSkipped(logger, Name, session, queueId, message.Message.Length, policy.MaxSize);
            spam.Metrics.Skipped(Name, "too_large");
            return Tagged(string.Create(CultureInfo.InvariantCulture, $"skipped (larger than {policy.MaxSize} octets)"), forged, "clamav skipped: too large");
        }

        ClamdResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(policy.Timeout);
        try
        {
            var stream = await message.Message.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                result = await client.ScanAsync(stream, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(message, string.Create(CultureInfo.InvariantCulture, $"no answer within {policy.Timeout.TotalSeconds} s"), forged);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return Failed(message, ex.Message, forged);
        }

        switch (result.Status)
        {
            case ClamdStatus.Infected:
                var signature = AttachmentFindings.Clean(result.Signature ?? "unknown", 80);
                ScannerLog.VirusFound(logger, session, queueId, message.Session.RemoteEndPoint.Address.ToString(), signature);
                spam.Metrics.Detected(Name, "virus");
                if (policy.VirusAction == VirusAction.Quarantine)
                {
                    return new StepVerdict
                    {
                        Removals = forged,
                        Quarantine = new QuarantineNote("clamav", "virus " + signature) { Tests = ["VIRUS=" + signature] },
                        Reason = "virus " + signature + ", quarantined",
                        Summary = "virus " + signature + " quarantine",
                    };
                }

                return StepVerdict.Refuse(PipelineReplies.VirusFound(signature), "virus " + signature) with { Summary = "virus " + signature + " reject" };
            case ClamdStatus.Clean:
                ScannerLog.VirusScanClean(logger, session, queueId);
                return new StepVerdict { Fields = FieldName + ": clamav; clean\r\n", Removals = forged, Reason = "clamav clean" };
            default:
                return Failed(message, "clamd answered: " + AttachmentFindings.Clean(result.Reply, 200), forged);
        }
    }

    private StepVerdict Failed(MessageContext message, string reason, List<ContentRange> forged)
    {
        var action = policy.OnFailure == ScannerFailureAction.TempFail ? "tempfail" : "accept";
        ScannerLog.ScannerFailed(logger, Name, policy.Address, message.Session.SessionId, message.Message.QueueId, reason, action);
        spam.Metrics.Failed(Name, action);
        return policy.OnFailure == ScannerFailureAction.TempFail
            ? StepVerdict.Refuse(PipelineReplies.ScannerUnavailable("Virus scanner"), "clamav unavailable: " + reason)
            : Tagged("unavailable, not scanned", forged, "clamav unavailable: " + reason);
    }

    private static StepVerdict Tagged(string status, List<ContentRange> forged, string reason) =>
        new() { Fields = FieldName + ": clamav; " + status + "\r\n", Removals = forged, Reason = reason };

    private static List<ContentRange> Forged(MessageContext message)
    {
        var header = message.Message.HeaderSection.Span;
        return [.. HeaderFieldFinder.Find(header, name => name.Equals(FieldName, StringComparison.OrdinalIgnoreCase))
            .Select(r => new ContentRange(r.Start.Value, r.End.Value - r.Start.Value))];
    }
}
