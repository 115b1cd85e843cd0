using System.Globalization;
using Gateway.Host.Spool;
using Gateway.Policy.Validation;
using Gateway.Queue;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway trace`: answers "what happened to that message" from the trace log: every event of each message
/// whose sender, recipients, queue id or Message-ID match, in time order, grouped by queue id.
/// </summary>
internal static class TraceCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        var since = TimeSpan.FromHours(24);
        if (command.Option("--since") is { } sinceText && DurationParser.TryParse(sinceText, out since) is { } error)
        {
            await Console.Error.WriteLineAsync($"gateway: --since: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var from = command.Option("--from");
        var to = command.Option("--to");
        var id = command.Option("--id");
        var messageId = command.Option("--msgid") is { } given ? BareMessageId(given) : null;
        using var trace = new FileTraceLog(SpoolPaths.TraceDirectory(policy));

        // Two passes over the window: first find the queue ids that match, then print all their events, so a
        // delivery line (which may not repeat the sender) still shows up under the message it belongs to.
        var events = new List<TraceEvent>();
        await foreach (var e in trace.ReadAsync(DateTimeOffset.UtcNow - since, CancellationToken.None).ConfigureAwait(false))
        {
            events.Add(e);
        }

        var matching = events
            .Where(e => (id is null || e.QueueId == id)
                && (messageId is null || (e.MessageId is not null && BareMessageId(e.MessageId) == messageId))
                && (from is null || Matches(e.From, from))
                && (to is null || e.To.Any(t => Matches(t, to))))
            .Select(e => e.QueueId)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var group in events.Where(e => matching.Contains(e.QueueId)).GroupBy(e => e.QueueId))
        {
            Console.Out.WriteLine($"{group.Key}:");
            foreach (var e in group.OrderBy(e => e.Timestamp))
            {
                Console.Out.WriteLine("  " + Line(e));
            }
        }

        if (matching.Count == 0)
        {
            Console.Out.WriteLine("no matching messages");
        }

        return ExitCodes.Ok;
    }

    /// <summary>One event as `trace` prints it, without the indent.</summary>
    internal static string Line(TraceEvent e)
    {
        var parts = new List<string> { e.Timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), e.Event };
        if (e.From is not null || e.Event == "received")
        {
            parts.Add($"from=<{e.From}>");
        }

        if (e.To.Count > 0)
        {
            parts.Add($"to={string.Join(",", e.To)}");
        }

        if (e.MessageId is not null)
        {
            parts.Add($"msgid={e.MessageId}");
        }

        if (e.Remote is not null)
        {
            parts.Add($"remote={e.Remote}");
        }

        if (e.Reply is not null)
        {
            // As in `queue show`: the host is still named (it is where the attempt went), but a reason the gateway
            // decided itself is marked so that it does not read as that host's reply.
            parts.Add($"reply=\"{OwnReason.Show(e.Reply, e.LocalReply)}\"");
        }

        if (e.Detail is not null)
        {
            parts.Add($"({e.Detail})");
        }

        return string.Join(' ', parts);
    }

    /// <summary>A Message-ID without its angle brackets and surrounding white space, so that either form finds it.</summary>
    private static string BareMessageId(string value) => value.Trim().TrimStart('<').TrimEnd('>').Trim();

    private static bool Matches(string? value, string pattern) =>
        value is not null && value.Contains(pattern, StringComparison.OrdinalIgnoreCase);
}
