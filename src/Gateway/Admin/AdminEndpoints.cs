using Gateway.Host.Cli;
using Gateway.Host.Hosting;
using Gateway.Host.Metrics;
using Gateway.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Admin;

/// <summary>
/// The admin HTTP surface: /health, /metrics and the internal CA's CRLs. It listens on loopback by default and says
/// nothing about mail content; the quarantine, which does, has its own guarded endpoints (QuarantineEndpoints).
/// </summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        // 200 only while the SMTP listeners are accepting: a load balancer's health check must not send
        // clients to a node that is shutting down.
        endpoints.MapGet("/health", (SmtpHostedService smtp, RuntimeHolder runtime) =>
        {
            var report = new HealthReport(
                smtp.Started ? "ok" : "stopping",
                smtp.OpenSessions,
                runtime.LoadedAt,
                runtime.Current.Policy.SourceFiles);
            return Results.Json(report, AdminJsonContext.Default.HealthReport, statusCode: smtp.Started ? 200 : 503);
        });
        endpoints.MapGet("/metrics", async (SmtpHostedService smtp, IQueueStore queue, GatewayMetrics metrics, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var count = 0;
            var oldest = (DateTimeOffset?)null;
            await foreach (var entry in queue.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                count++;
                if (oldest is null || entry.Envelope.ReceivedAt < oldest)
                {
                    oldest = entry.Envelope.ReceivedAt;
                }
            }

            var age = oldest is null ? 0 : Math.Max(0, (time.GetUtcNow() - oldest.Value).TotalSeconds);
            metrics.SetGauges(smtp.OpenSessions, count, age);
            return Results.Stream(
                (output) => metrics.ExportAsync(output, cancellationToken),
                GatewayMetrics.ContentType);
        });
        endpoints.MapSmimeCrl(services => VaultPaths.CrlDirectory(services.GetRequiredService<RuntimeHolder>().Current.Policy));
        return endpoints;
    }
}
