using System.Globalization;
using Gateway.Host.Spool;
using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway mta-sts cache`: the destinations' MTA-STS policies the gateway has cached (RFC 8461 5.1), one line each:
/// domain, policy id, mode, MX patterns, expiry. Reads the cache files; changes nothing.
/// </summary>
internal static class MtaStsCacheCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var entries = await MtaStsPolicyStore.ReadEntriesAsync(SpoolPaths.MtaStsDirectory(policy), NullLogger.Instance, CancellationToken.None).ConfigureAwait(false);
        await PrintAsync(Console.Out, entries, TimeProvider.System.GetUtcNow()).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    internal static async Task PrintAsync(TextWriter output, IReadOnlyList<MtaStsCachedPolicy> entries, DateTimeOffset now)
    {
        await output.WriteLineAsync($"{"DOMAIN",-30} {"ID",-32} {"MODE",-8} {"EXPIRES",-21} MX").ConfigureAwait(false);
        foreach (var entry in entries)
        {
            var expires = entry.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + (entry.IsValidAt(now) ? string.Empty : " (expired)");
            var mode = entry.Policy.Mode.ToString().ToLowerInvariant();
            await output.WriteLineAsync($"{entry.Domain,-30} {entry.PolicyId,-32} {mode,-8} {expires,-21} {string.Join(",", entry.Policy.MxPatterns)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"# {entries.Count} cached policies")).ConfigureAwait(false);
    }
}
