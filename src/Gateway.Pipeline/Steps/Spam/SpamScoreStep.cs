using System.Globalization;
using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Results;
using Gateway.Policy;
using Gateway.Spam.Scoring;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// Content scoring of inbound mail: the scorer reads a bounded prefix of the message, with the sender-authentication
/// results of the steps before it, the session's list lookups and client checks and the URI lists over the message's
/// link domains as inputs, and the recipients' domains decide what the score means: reject with 550 5.7.1 at the end
/// of DATA, quarantine (accepted, held with its verdict), tag (X-Spam-Status, X-Spam-Score, X-Spam-Flag and an
/// optional subject prefix), or deliver unchanged. Every verdict is logged. X-Spam-* fields the client sent are
/// dropped: only ours are believed.
/// </summary>
internal sealed class SpamScoreStep(SpamServices spam, ILogger logger) : IMessageStep
{
    public string Name => "spam";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var content = await ReadPrefixAsync(message.Message, spam.Scorer.Options.Limits.MaxScanBytes, cancellationToken).ConfigureAwait(false);
        var scan = spam.Scorer.Scan(content, cancellationToken);
        var reputation = await ReputationAsync(message, scan, cancellationToken).ConfigureAwait(false);
        var verdict = spam.Scorer.Score(scan, Context(message) with { Reputation = reputation }, cancellationToken);
        var decision = SpamDecision.For(spam.Policy, message.Envelope.Recipients, verdict.Score);
        verdict = verdict with { Threshold = decision.Threshold };
        var status = verdict.ToHeaderValue();
        var tests = verdict.ReasonList;
        var action = !decision.IsSpam ? "none" : decision.Action switch
        {
            SpamAction.Reject => "reject",
            SpamAction.Tag => "tag",
            SpamAction.Quarantine => "quarantine",
            _ => "deliver",
        };
        PipelineLog.SpamVerdict(logger, message.Session.SessionId, message.Message.QueueId, verdict.Score, verdict.Threshold, action, tests);
        var summary = string.Create(CultureInfo.InvariantCulture, $"spam {verdict.Score:0.0}/{verdict.Threshold:0.0} {action}");

        var header = message.Message.HeaderSection.Span;
        var forged = Ranges(HeaderFieldFinder.Find(header, name => name.StartsWith("X-Spam-", StringComparison.OrdinalIgnoreCase)));
        switch (decision)
        {
            case { Action: SpamAction.Reject, IsSpam: true }:
                return StepVerdict.Refuse(PipelineReplies.SpamRejected, "spam " + status) with { Summary = summary };
            case { Action: SpamAction.Deliver }:
                return new StepVerdict { Removals = forged, Reason = "spam " + status, Summary = summary };
            case { Action: SpamAction.Quarantine, IsSpam: true }:
                // Kept with the status fields (a released message shows why it was held) but no flag or subject
                // prefix: whoever releases it has judged it wanted.
                return new StepVerdict
                {
                    Fields = $"X-Spam-Status: {status}\r\nX-Spam-Score: {verdict.ScoreText}\r\n",
                    Removals = forged,
                    Reason = "spam " + status,
                    Summary = summary,
                    Quarantine = SpamQuarantine.Note(verdict),
                };
        }

        var fields = new StringBuilder()
            .Append("X-Spam-Status: ").Append(status).Append("\r\n")
            .Append("X-Spam-Score: ").Append(verdict.ScoreText).Append("\r\n");
        if (decision.IsSpam)
        {
            fields.Append("X-Spam-Flag: YES\r\n");
            if (decision.SubjectPrefix is { Length: > 0 } prefix && PrefixedSubject(header, prefix) is { } subject)
            {
                fields.Append(subject.Field);
                if (subject.Replaced is { } replaced)
                {
                    forged.Add(replaced);
                }
            }
        }

        return new StepVerdict { Fields = fields.ToString(), Removals = forged, Reason = "spam " + status, Summary = summary };
    }

    /// <summary>
    /// The session's inputs (started during the dialogue, awaited now) and the URI lists over the links. Trusted and
    /// authenticated clients are never looked up: their mail is the organisation's own or accountable.
    /// </summary>
    private async Task<IReadOnlyList<SpamReason>> ReputationAsync(MessageContext message, SpamScan scan, CancellationToken cancellationToken)
    {
        if (message.Trust.Class != ClientClass.Anonymous)
        {
            return [];
        }

        var session = message.SessionScores is { } scores ? await scores.ConfigureAwait(false) : SessionScores.None;
        var uri = spam.Reputation is { } checks
            ? await checks.UriAsync(message.Session.SessionId, scan.LinkHosts, logger, cancellationToken).ConfigureAwait(false)
            : [];
        return [.. session.Reasons, .. uri];
    }

    private static SpamContext Context(MessageContext message)
    {
        var state = message.Authentication;
        var dkim = state.Dkim switch
        {
            null or [] => AuthenticationOutcome.None,
            var results when results.Any(r => r.Result == DkimResult.Pass) => AuthenticationOutcome.Pass,
            var results when results.Any(r => r.Result == DkimResult.Fail) => AuthenticationOutcome.Fail,
            _ => AuthenticationOutcome.None,
        };
        return new SpamContext(
            Outcome(state.Spf?.Result.ToString()),
            dkim,
            Outcome(state.Dmarc?.Result.ToString()),
            message.Envelope.Recipients.Count)
        {
            Inputs = message.SpamInputs,
        };
    }

    /// <summary>The authentication libraries name their results as RFC 8601 does; so does the scorer's enum.</summary>
    private static AuthenticationOutcome Outcome(string? result) =>
        Enum.TryParse<AuthenticationOutcome>(result, ignoreCase: true, out var outcome) ? outcome : AuthenticationOutcome.None;

    /// <summary>
    /// At most <paramref name="limit"/> + 1 bytes: the scorer reads the limit and learns from the extra byte that the
    /// message went on (it is then marked truncated). A large message is never read whole into memory.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadPrefixAsync(StoredMessage stored, int limit, CancellationToken cancellationToken)
    {
        if (stored.TryGetContent(out var content))
        {
            return content[..(int)Math.Min(content.Length, (long)limit + 1)];
        }

        var buffer = new byte[(int)Math.Min(stored.Length, (long)limit + 1)];
        var stream = await stored.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return buffer.AsMemory(0, read);
        }
    }

    /// <summary>The first Subject field with the prefix put before its value; the value's bytes are kept as sent.</summary>
    private static (string Field, ContentRange? Replaced)? PrefixedSubject(ReadOnlySpan<byte> header, string prefix)
    {
        var subjects = HeaderFieldFinder.Find(header, name => name.Equals("Subject", StringComparison.OrdinalIgnoreCase));
        if (subjects.Count == 0)
        {
            return ("Subject: " + prefix + "\r\n", null);
        }

        var (start, length) = subjects[0].GetOffsetAndLength(header.Length);
        var field = Encoding.UTF8.GetString(header.Slice(start, length));
        var value = field[(field.IndexOf(':', StringComparison.Ordinal) + 1)..].TrimStart(' ', '\t');
        return ("Subject: " + prefix + " " + value, new ContentRange(start, length));
    }

    private static List<ContentRange> Ranges(IReadOnlyList<Range> ranges) =>
        [.. ranges.Select(r => new ContentRange(r.Start.Value, r.End.Value - r.Start.Value))];
}
