using System.Globalization;
using System.Text.Json;
using Gateway.Host.Control;
using Gateway.Host.Hosting;
using Gateway.Host.Reports;
using Gateway.Host.Spool;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway tlsrpt report [--dry-run] [--include-today]`: the TLS reports (RFC 8460) of the days the gateway has
/// counted and not yet reported. With --dry-run it prints, per policy domain and day, the rua destinations its
/// _smtp._tls record names and the report JSON, and changes nothing. Without it, it sends the completed days as the
/// running gateway would (mailto through the queue, https by POST) and forgets them; it refuses while a gateway
/// runs, because the running gateway holds the counters in memory and sends them itself.
/// </summary>
internal static class TlsRptCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var time = TimeProvider.System;
        var services = RuntimeServices.Standalone(policy, time);
        using var collector = new TlsRptCollector(
            new TlsRptCollectorOptions { Directory = SpoolPaths.TlsRptDirectory(policy), FlushDirectory = DefaultSpoolIo.Instance.FlushDirectory },
            time);
        await collector.LoadAsync(CancellationToken.None).ConfigureAwait(false);
        var records = new TlsRptRecordLookup(services.Dns);
        var builder = new TlsRptReportBuilder(TlsRptReportingSettings.For(policy));
        if (command.Flag("--dry-run"))
        {
            await PrintAsync(Console.Out, policy, collector, records, builder, command.Flag("--include-today"), CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (await IsGatewayRunningAsync(policy).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"gateway: a gateway is running (admin {policy.Admin.Listen} or {SpoolPaths.ControlSocket(policy)}): it holds the counters and sends each day's reports within {TlsRptReportService.CheckEvery.TotalMinutes} minutes of the day's end; use --dry-run to see them")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        using var trace = new FileTraceLog(SpoolPaths.TraceDirectory(policy));
        await using var queue = new FileQueueStore(SpoolPaths.QueueRoot(policy), time, trace, NullLogger<FileQueueStore>.Instance);
        using var http = TlsRptHttpClient.Create(services.Dns);

        // For the DKIM keys only: mailed reports are signed as the running gateway signs them.
        using var runtime = PolicyRuntime.TryBuild(policy, services, out _);
        var options = TlsRptReportingSettings.For(policy);
        ITlsRptReportSender[] senders =
        [
            new MailtoTlsRptReportSender(new TlsRptMailComposer(options, time), new QueueReportOutbox(queue, time, () => runtime?.Authentication)),
            new HttpsTlsRptReportSender(http),
        ];
        var sent = await new TlsRptReporting(collector, records, builder, senders).SendCompletedAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var (report, outcomes) in sent)
        {
            foreach (var (destination, result) in outcomes)
            {
                var outcome = result.Sent ? "sent" : "not sent: " + result.Error;
                await Console.Out.WriteLineAsync($"{report.ReportId} to {destination.GetLeftPart(UriPartial.Path)}: {outcome}").ConfigureAwait(false);
            }
        }

        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{sent.Count} report(s) built; days without a TLS-RPT record were dropped")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The dry run: every pending day with its destinations and JSON; nothing is sent or forgotten.</summary>
    internal static async Task PrintAsync(
        TextWriter output, GatewayPolicy policy, TlsRptCollector collector, TlsRptRecordLookup records, TlsRptReportBuilder builder, bool includeToday, CancellationToken ct)
    {
        if (!policy.Delivery.Tls.Reporting.Enabled)
        {
            await output.WriteLineAsync("# delivery.tls.reporting.enabled is false: nothing would be sent").ConfigureAwait(false);
        }

        var days = collector.PendingDays(includeToday);
        var which = includeToday ? "completed days and today so far" : "completed days";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"# {days.Count} report(s) pending ({which})")).ConfigureAwait(false);
        foreach (var day in days)
        {
            var record = await records.LookupAsync(day.PolicyDomain, ct).ConfigureAwait(false);
            var to = record is null
                ? $"no TLS-RPT record at {TlsRptRecord.QueryName(day.PolicyDomain)}: nothing would be sent"
                : "rua " + string.Join(", ", record.ReportUris.Select(u => u.OriginalString));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"# {day.PolicyDomain} {day.Day:yyyy-MM-dd}: {to}")).ConfigureAwait(false);
            await output.WriteLineAsync(Indented(builder.Build(day).Json)).ConfigureAwait(false);
        }
    }

    private static string Indented(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, IndentedJson.Default.JsonElement);
    }

    /// <summary>
    /// Whether a gateway answers on the policy's admin endpoint or on the control socket of its state directory (both
    /// /health). The socket is the one that cannot miss: it belongs to the state directory whose counters this would
    /// send and forget, while a new admin.listen in the file waits for the running gateway's restart.
    /// </summary>
    private static async Task<bool> IsGatewayRunningAsync(GatewayPolicy policy)
    {
        var timeout = TimeSpan.FromSeconds(3);
        using var admin = AdminEndpoint.CreateClient(timeout);
        using var control = ControlClient.CreateHttpClient(SpoolPaths.ControlSocket(policy), timeout);
        return await AnswersAsync(admin, AdminEndpoint.Uri(policy, "/health")).ConfigureAwait(false)
            || await AnswersAsync(control, new Uri("health", UriKind.Relative)).ConfigureAwait(false);
    }

    private static async Task<bool> AnswersAsync(HttpClient http, Uri health)
    {
        try
        {
            using var response = await http.GetAsync(health).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
