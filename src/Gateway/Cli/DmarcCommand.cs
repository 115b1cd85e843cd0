using Gateway.Authentication.Reports;
using Gateway.Host.Hosting;
using Gateway.Host.Reports;
using Gateway.Host.Spool;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway dmarc report --dry-run`: prints the aggregate reports (XML) the next reporting run would send, from
/// the evaluations the gateway has recorded, with where each would go. Sends nothing and changes nothing.
/// </summary>
internal static class DmarcCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = SpoolPaths.DmarcDirectory(policy) });
        var services = RuntimeServices.Standalone(policy, TimeProvider.System);
        var reporting = new DmarcReporting(
            DmarcReportingSettings.For(policy), store, services.Dns, services.Suffixes.Get(policy.Authentication.Dmarc.PublicSuffixList), services.Time);
        var (begin, end) = reporting.UnreportedSpan();
        var reports = await reporting.BuildAsync(begin, end, CancellationToken.None).ConfigureAwait(false);
        if (!policy.Authentication.Dmarc.Reports.Enabled)
        {
            await Console.Out.WriteLineAsync("<!-- authentication.dmarc.reports.enabled is false: nothing would be sent -->").ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync($"<!-- period {begin:u} to {end:u}: {reports.Count} report(s) -->").ConfigureAwait(false);
        foreach (var report in reports)
        {
            var to = report.Recipients.Count == 0 ? "(no verified destination)" : string.Join(", ", report.Recipients.Select(r => r.Address));
            await Console.Out.WriteLineAsync($"<!-- {report.FileName}: {report.MessageCount} message(s), to {to} -->").ConfigureAwait(false);
            foreach (var skipped in report.Skipped)
            {
                await Console.Out.WriteLineAsync($"<!-- skipped {skipped.Uri}: {skipped.Reason} -->").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync(report.Xml).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
