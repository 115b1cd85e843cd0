using System.Globalization;
using System.Text;
using Gateway.Host.Quarantine;
using Gateway.Host.Spool;
using Gateway.Policy;
using Gateway.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway quarantine list|show|release|delete`: works on the spool files directly, as `gateway queue` does, so it
/// works whether the gateway runs or not; a running gateway's scheduler sees a release at its next rescan (seconds).
/// </summary>
internal static class QuarantineCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var id = command.Arguments.Count > 0 ? command.Arguments[0] : null;
        if (id is not null && !QueueId.IsValid(id))
        {
            await Console.Error.WriteLineAsync($"gateway: '{id}' is not a queue id").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var trace = new FileTraceLog(SpoolPaths.TraceDirectory(policy));
        await using var store = new FileQueueStore(SpoolPaths.QueueRoot(policy), TimeProvider.System, trace, NullLogger<FileQueueStore>.Instance);
        var quarantine = new MessageQuarantine(store, TimeProvider.System, NullLogger<MessageQuarantine>.Instance);
        return command.Verb switch
        {
            "list" => await ListAsync(quarantine, policy.Quarantine).ConfigureAwait(false),
            "show" => await ShowAsync(quarantine, policy.Quarantine, id!).ConfigureAwait(false),
            "release" => await ReleaseAsync(quarantine, id!, command.Flag("--learn") ? SpoolPaths.LearnHamDirectory(policy) : null).ConfigureAwait(false),
            _ => await DeleteAsync(quarantine, id!).ConfigureAwait(false),
        };
    }

    private static async Task<int> ListAsync(MessageQuarantine quarantine, QuarantinePolicy settings)
    {
        var now = DateTimeOffset.UtcNow;
        var count = 0;
        Console.Out.WriteLine($"{"QUEUE ID",-17} {"AGE",8} {"EXPIRES",8} {"SIZE",9} {"SOURCE",-7} {"FROM",-30} RECIPIENTS, REASON");
        await foreach (var entry in quarantine.ListAsync(CancellationToken.None).ConfigureAwait(false))
        {
            count++;
            var item = QuarantineItem.Of(entry, settings.Retention);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{item.Id,-17} {Age(now - item.QuarantinedAt),8} {Age(item.ExpiresAt - now),8} {item.Size,9} {item.Source,-7} {Sender(item.From),-30} {string.Join(",", item.Recipients)}, {item.Reason}"));
        }

        Console.Out.WriteLine($"-- {count} quarantined message(s)");
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(MessageQuarantine quarantine, QuarantinePolicy settings, string id)
    {
        if (await quarantine.GetAsync(id, CancellationToken.None).ConfigureAwait(false) is not { } entry)
        {
            return await NotFoundAsync(id).ConfigureAwait(false);
        }

        var item = await QuarantineItem.Of(entry, settings.Retention).WithHeadersAsync(quarantine, CancellationToken.None).ConfigureAwait(false);
        var e = entry.Envelope;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"queue id:     {item.Id} (quarantined)\n");
        sb.Append(CultureInfo.InvariantCulture, $"verdict:      {item.Source}: {item.Reason}\n");
        if (item.Score is { } score)
        {
            sb.Append(CultureInfo.InvariantCulture, $"score:        {score:0.0##} (threshold {item.Threshold:0.0##})\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"reasons:      {(item.Tests.Count == 0 ? "-" : string.Join(", ", item.Tests))}\n");
        sb.Append(CultureInfo.InvariantCulture, $"quarantined:  {item.QuarantinedAt:u}, deleted {item.ExpiresAt:u} unless released\n");
        sb.Append(CultureInfo.InvariantCulture, $"received:     {e.ReceivedAt:u} from {e.ClientIp} (helo {e.Helo}, tls {e.TlsProtocolName ?? "none"}, auth {e.AuthUser ?? "-"}) origin {e.Origin}\n");
        sb.Append(CultureInfo.InvariantCulture, $"sender:       {Sender(item.From)}  size {item.Size}\n");
        foreach (var recipient in item.Recipients)
        {
            sb.Append(CultureInfo.InvariantCulture, $"recipient:    {recipient}\n");
        }

        sb.Append("headers:\n");
        foreach (var line in item.Headers ?? [])
        {
            sb.Append("  ").Append(line).Append('\n');
        }

        await Console.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> ReleaseAsync(MessageQuarantine quarantine, string id, string? learnDirectory)
    {
        try
        {
            if (!await quarantine.ReleaseAsync(id, QuarantineActor.CommandLine(), learnDirectory, CancellationToken.None).ConfigureAwait(false))
            {
                return await NotFoundAsync(id).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The copy for training comes first: when it cannot be written, the item stays quarantined as it was.
            await Console.Error.WriteLineAsync($"gateway: {id} not released: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        Console.Out.WriteLine(learnDirectory is null
            ? $"{id}: released; it goes to its recipients through the queue"
            : $"{id}: released; it goes to its recipients through the queue; a copy is in {learnDirectory} for `gateway spam train --ham {learnDirectory}`");
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(MessageQuarantine quarantine, string id)
    {
        if (!await quarantine.DeleteAsync(id, QuarantineActor.CommandLine(), CancellationToken.None).ConfigureAwait(false))
        {
            return await NotFoundAsync(id).ConfigureAwait(false);
        }

        Console.Out.WriteLine($"{id}: deleted");
        return ExitCodes.Ok;
    }

    private static async Task<int> NotFoundAsync(string id)
    {
        await Console.Error.WriteLineAsync($"gateway: no message {id} in the quarantine").ConfigureAwait(false);
        return ExitCodes.Failure;
    }

    private static string Sender(string from) => from.Length == 0 ? "<>" : $"<{from}>";

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes}m"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m{age.Seconds}s"
        : $"{Math.Max(0, (int)age.TotalSeconds)}s";
}
