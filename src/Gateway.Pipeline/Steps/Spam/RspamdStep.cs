using System.Globalization;
using System.Net.Sockets;
using Gateway.Policy;
using Gateway.Spam.External;
using Gateway.Spam.Scoring;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// rspamd as a second opinion: the message and its envelope go to /checkv2 within the policy's timeout, and its score,
/// times spam.rspamd.weight and held within [min_score, max_score], becomes the reason "RSPAMD=score" of our own
/// verdict. Its action is logged and never acted on: our thresholds decide. A rspamd that is down, times out or
/// answers nonsense means what on_failure says: 451 4.7.1, or "X-Spam-Rspamd: unavailable" with a warning and a
/// metric. A message larger than max_size is scored without rspamd, said the same visible way.
/// </summary>
internal sealed class RspamdStep(SpamServices spam, RspamdPolicy policy, RspamdClient client, ILogger logger) : IMessageStep
{
    private const string FieldName = "X-Spam-Rspamd";

    public string Name => "rspamd";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var session = message.Session.SessionId;
        var queueId = message.Message.QueueId;
        if (message.Message.Length > policy.MaxSize)
        {
            ScannerLog.ScannerSkipped(logger, Name, session, queueId, message.Message.Length, policy.MaxSize);
            spam.Metrics.Skipped(Name, "too_large");
            return Tagged(string.Create(CultureInfo.InvariantCulture, $"skipped (larger than {policy.MaxSize} octets)"), "rspamd skipped: too large");
        }

        var envelope = message.Envelope;
        var request = new RspamdRequest(
            message.Session.RemoteEndPoint.Address,
            message.Session.HeloName,
            envelope.From?.ToString() ?? "",
            [.. envelope.Recipients.Select(r => r.Address.ToString())],
            queueId);
        RspamdResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(policy.Timeout);
        try
        {
            var stream = await message.Message.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                result = await client.CheckAsync(stream, request, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(message, string.Create(CultureInfo.InvariantCulture, $"no answer within {policy.Timeout.TotalSeconds} s"));
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or FormatException)
        {
            return Failed(message, ex.Message);
        }

        var points = Math.Round(Math.Clamp(policy.Weight * result.Score, policy.MinScore, policy.MaxScore), 2);
        var name = "RSPAMD=" + result.Score.ToString("0.##", CultureInfo.InvariantCulture);
        message.SpamInputs.Add(new SpamReason(name, points));
        ScannerLog.RspamdVerdict(logger, session, queueId, result.Score, result.RequiredScore, result.Action, points,
            result.Symbols.Count == 0 ? "none" : string.Join(',', result.Symbols.Take(50)));
        return new StepVerdict { Reason = string.Create(CultureInfo.InvariantCulture, $"{name} action={result.Action} points={points}") };
    }

    private StepVerdict Failed(MessageContext message, string reason)
    {
        var action = policy.OnFailure == ScannerFailureAction.TempFail ? "tempfail" : "accept";
        ScannerLog.ScannerFailed(logger, Name, policy.Url.ToString(), message.Session.SessionId, message.Message.QueueId, reason, action);
        spam.Metrics.Failed(Name, action);
        return policy.OnFailure == ScannerFailureAction.TempFail
            ? StepVerdict.Refuse(PipelineReplies.ScannerUnavailable("Spam scanner"), "rspamd unavailable: " + reason)
            : Tagged("unavailable, not scanned", "rspamd unavailable: " + reason);
    }

    /// <summary>The client's X-Spam-* fields are dropped by the spam step, so this one is always ours.</summary>
    private static StepVerdict Tagged(string status, string reason) => new() { Fields = FieldName + ": " + status + "\r\n", Reason = reason };
}
