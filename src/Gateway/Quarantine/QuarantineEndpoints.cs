using Gateway.Host.Hosting;
using Gateway.Host.Spool;
using Gateway.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Host.Quarantine;

/// <summary>
/// The quarantine on the admin listener (and the control socket), behind <see cref="AdminAccess"/>: GET /quarantine
/// (JSON list), GET /quarantine/{id} (with the header section), POST /quarantine/{id}/release (?learn=true keeps a
/// copy for training as ham), DELETE /quarantine/{id}. The same operations as `gateway quarantine`.
/// </summary>
internal static class QuarantineEndpoints
{
    public static IEndpointRouteBuilder MapQuarantine(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/quarantine").AddEndpointFilter(AdminAccess.InvokeAsync);
        group.MapGet(string.Empty, async (MessageQuarantine quarantine, RuntimeHolder runtime, CancellationToken cancellationToken) =>
        {
            var retention = runtime.Current.Policy.Quarantine.Retention;
            var items = new List<QuarantineItem>();
            await foreach (var entry in quarantine.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(QuarantineItem.Of(entry, retention));
            }

            return Results.Json(items, QuarantineJsonContext.Default.ListQuarantineItem);
        });
        group.MapGet("/{id}", async (string id, MessageQuarantine quarantine, RuntimeHolder runtime, CancellationToken cancellationToken) =>
        {
            if (await quarantine.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } entry)
            {
                return NotFound(id);
            }

            var item = await QuarantineItem.Of(entry, runtime.Current.Policy.Quarantine.Retention).WithHeadersAsync(quarantine, cancellationToken).ConfigureAwait(false);
            return Results.Json(item, QuarantineJsonContext.Default.QuarantineItem);
        });
        group.MapPost("/{id}/release", async (string id, HttpContext context, MessageQuarantine quarantine, RuntimeHolder runtime, CancellationToken cancellationToken) =>
        {
            var learn = string.Equals(context.Request.Query["learn"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
            var directory = learn ? SpoolPaths.LearnHamDirectory(runtime.Current.Policy) : null;
            try
            {
                return await quarantine.ReleaseAsync(id, AdminAccess.Actor(context), directory, cancellationToken).ConfigureAwait(false)
                    ? Results.Json(new QuarantineAnswer(id, learn ? "released, copied for training as ham" : "released"), QuarantineJsonContext.Default.QuarantineAnswer)
                    : NotFound(id);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The copy for training comes first: when it cannot be written, the item stays quarantined as it was.
                return Results.Json(new QuarantineAnswer(id, "not released: " + ex.Message), QuarantineJsonContext.Default.QuarantineAnswer, statusCode: StatusCodes.Status500InternalServerError);
            }
        });
        group.MapDelete("/{id}", async (string id, HttpContext context, MessageQuarantine quarantine, CancellationToken cancellationToken) =>
            await quarantine.DeleteAsync(id, AdminAccess.Actor(context), cancellationToken).ConfigureAwait(false)
                ? Results.Json(new QuarantineAnswer(id, "deleted"), QuarantineJsonContext.Default.QuarantineAnswer)
                : NotFound(id));
        return endpoints;
    }

    private static IResult NotFound(string id) =>
        Results.Json(new QuarantineAnswer(id, "no such message in the quarantine"), QuarantineJsonContext.Default.QuarantineAnswer, statusCode: StatusCodes.Status404NotFound);
}
