using System.Globalization;
using System.Text;
using Gateway.Host.Spool;
using Gateway.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway queue ...`: works on the spool files directly, as Postfix's postqueue/postsuper do, so it works whether
/// the gateway runs or not; a running gateway's scheduler rescans and sees holds, retries and deletions.
/// </summary>
internal static class QueueCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        using var trace = new FileTraceLog(SpoolPaths.TraceDirectory(policy));
        await using var store = new FileQueueStore(
            SpoolPaths.QueueRoot(policy),
            TimeProvider.System,
            trace,
            NullLogger<FileQueueStore>.Instance);

        var id = command.Arguments.Count > 0 ? command.Arguments[0] : null;
        if (id is not null && !QueueId.IsValid(id))
        {
            await Console.Error.WriteLineAsync($"gateway: '{id}' is not a queue id").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return command.Verb switch
        {
            "list" => await ListAsync(store).ConfigureAwait(false),
            "show" => await ShowAsync(store, id!).ConfigureAwait(false),
            "retry" when command.Flag("--all") => await RetryAllAsync(store).ConfigureAwait(false),
            _ => await ChangeAsync(store, command.Verb!, id!).ConfigureAwait(false),
        };
    }

    private static async Task<int> ListAsync(FileQueueStore store)
    {
        var now = DateTimeOffset.UtcNow;
        var count = 0;
        Console.Out.WriteLine($"{"QUEUE ID",-17} {"AGE",8} {"SIZE",9} {"STATE",-8} {"FROM",-30} RECIPIENTS (pending/total), LAST REPLY");
        await foreach (var entry in store.ListAsync(CancellationToken.None).ConfigureAwait(false))
        {
            count++;
            Console.Out.WriteLine(ListLine(entry, now));
        }

        Console.Out.WriteLine($"-- {count} message(s)");
        return ExitCodes.Ok;
    }

    /// <summary>One line of `queue list`: the recipients still pending and the last reply about one of them.</summary>
    internal static string ListLine(QueueEntry entry, DateTimeOffset now)
    {
        var envelope = entry.Envelope;
        // What is still to do: the recipients not yet delivered or failed, and the last answer about one of them
        // (a delivered recipient's 250 says nothing about why the message is still here).
        var waiting = entry.State.Recipients.Where(r => r.Status == RecipientStatus.Pending).ToList();
        var pending = waiting.Count;
        var shown = pending > 0 ? waiting.Select(r => r.Address) : envelope.Recipients.Select(r => r.Address);
        // Marked as `queue show` and `trace` mark it when the reason is the gateway's own, not the remote host's reply.
        var lastAbout = waiting.OrderBy(r => r.UpdatedAt ?? DateTimeOffset.MinValue).LastOrDefault(r => r.LastReply is not null);
        var last = lastAbout is null ? string.Empty : OwnReason.Show(lastAbout.LastReply!, lastAbout.LocalReply);
        var state = entry.Quarantine is not null ? "quarant." : entry.Held ? "held" : entry.State.Attempts == 0 ? "new" : "deferred";
        return string.Create(CultureInfo.InvariantCulture,
            $"{envelope.QueueId,-17} {Age(now - envelope.ReceivedAt),8} {entry.MessageBytes,9} {state,-8} {Sender(envelope.From),-30} {pending}/{envelope.Recipients.Count} {string.Join(",", shown)} {last}");
    }

    private static async Task<int> ShowAsync(FileQueueStore store, string id)
    {
        var entry = await store.GetAsync(id, CancellationToken.None).ConfigureAwait(false);
        if (entry is null)
        {
            await Console.Error.WriteLineAsync($"gateway: no message {id} in the queue").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var e = entry.Envelope;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"queue id:     {e.QueueId}{(entry.Held ? " (held)" : string.Empty)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"received:     {e.ReceivedAt:u} from {e.ClientIp} (helo {e.Helo}, tls {e.TlsProtocolName ?? "none"}{(e.TlsCipher is null ? string.Empty : " " + e.TlsCipher)}, auth {e.AuthUser ?? "-"}) origin {e.Origin}\n");
        sb.Append(CultureInfo.InvariantCulture, $"sender:       {Sender(e.From)}  size {entry.MessageBytes}  body {e.Body}  smtputf8 {e.SmtpUtf8}  ret {e.Return}  envid {e.EnvelopeId ?? "-"}\n");
        sb.Append(CultureInfo.InvariantCulture, $"tls policy:   requiretls {(e.RequireTls ? "yes" : "no")}  tls-required-no {(e.TlsRequiredNo ? "yes" : "no")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"attempts:     {entry.State.Attempts}, next {entry.State.NextAttemptAt:u}, delay notice sent {entry.State.DelayNoticeSent}\n");
        foreach (var r in entry.State.Recipients)
        {
            var reply = r.LastReply is null ? string.Empty : OwnReason.Show(r.LastReply, r.LocalReply);
            sb.Append(CultureInfo.InvariantCulture, $"recipient:    {r.Address}  {r.Status}  attempts {r.Attempts}  remote {r.RemoteMta ?? "-"}  {reply}\n");
        }

        sb.Append("headers:\n");
        await using (var message = await store.OpenMessageAsync(id, CancellationToken.None).ConfigureAwait(false))
        using (var reader = new StreamReader(message, Encoding.UTF8))
        {
            // Headers only: an admin inspecting the queue needs routing facts, not the content.
            for (var lines = 0; lines < 200; lines++)
            {
                var line = await reader.ReadLineAsync().ConfigureAwait(false);
                if (string.IsNullOrEmpty(line))
                {
                    break;
                }

                sb.Append("  ").Append(line).Append('\n');
            }
        }

        await Console.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> RetryAllAsync(FileQueueStore store)
    {
        var ids = new List<string>();
        var held = 0;
        await foreach (var entry in store.ListAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // A retry sends nothing that is held (quarantine items above all): counting them as scheduled, or
            // tracing a retry of them, would tell the admin that held mail is on its way.
            if (entry.Held)
            {
                held++;
            }
            else
            {
                ids.Add(entry.Envelope.QueueId);
            }
        }

        foreach (var id in ids)
        {
            await store.RetryNowAsync(id, CancellationToken.None).ConfigureAwait(false);
        }

        Console.Out.WriteLine(held == 0
            ? $"{ids.Count} message(s) scheduled for immediate delivery"
            : $"{ids.Count} message(s) scheduled for immediate delivery; {held} held (quarantine or `gateway queue hold`) left until released");
        return ExitCodes.Ok;
    }

    private static async Task<int> ChangeAsync(FileQueueStore store, string verb, string id)
    {
        if (await store.GetAsync(id, CancellationToken.None).ConfigureAwait(false) is not { } entry)
        {
            await Console.Error.WriteLineAsync($"gateway: no message {id} in the queue").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (verb == "release" && entry.Quarantine is not null)
        {
            // A quarantine release restarts the retry clock (and may teach the classifier): one way to do it.
            await Console.Error.WriteLineAsync($"gateway: {id} is in the quarantine; use `gateway quarantine release {id}`").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        try
        {
            await ApplyAsync(store, verb, id).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException)
        {
            // In its first delivery attempt inside the running gateway's segment, or gone meanwhile: nothing was done.
            await Console.Error.WriteLineAsync($"gateway: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        Console.Out.WriteLine(verb == "retry" && entry.Held
            ? $"{id}: retry done; the message is held, so nothing is sent before `gateway queue release {id}`"
            : $"{id}: {verb} done");
        return ExitCodes.Ok;
    }

    private static async Task ApplyAsync(FileQueueStore store, string verb, string id)
    {
        switch (verb)
        {
            case "retry":
                await store.RetryNowAsync(id, CancellationToken.None).ConfigureAwait(false);
                break;
            case "hold":
                // A hold stops someone's mail: who did it belongs in the trace as much as who released or deleted it.
                await store.HoldAsync(id, $"held by {Who()} via gateway queue hold", CancellationToken.None).ConfigureAwait(false);
                break;
            case "release":
                await store.ReleaseAsync(id, $"released by {Who()} via gateway queue release", CancellationToken.None).ConfigureAwait(false);
                break;
            case "delete":
                // Who and when go into the trace log with the removal, so "what happened to it" has an answer.
                await store.RemoveAsync(id, $"deleted by {Who()} via gateway queue delete", CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }

    private static string Who()
    {
        var sudo = Environment.GetEnvironmentVariable("SUDO_USER");
        return sudo is null ? Environment.UserName : $"{Environment.UserName} (sudo by {sudo})";
    }

    private static string Sender(string? from) => from is null ? "<>" : $"<{from}>";

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes}m"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m{age.Seconds}s"
        : $"{Math.Max(0, (int)age.TotalSeconds)}s";
}
