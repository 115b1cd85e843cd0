using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault;
using Gateway.Smime.Vault.Sealers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Control;

/// <summary>
/// The local control channel: GET /vault/status, POST /vault/unseal, POST /vault/seal, answered only on the
/// Unix socket (<see cref="ControlSocketOnly"/>). The vault audits every unseal and seal itself, with the peer's
/// uid as the actor.
/// </summary>
internal static class ControlEndpoints
{
    // 255 shares of about 90 characters fit in a few KiB; the body is capped before it is read.
    private const long MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapControl(this IEndpointRouteBuilder endpoints)
    {
        var vault = endpoints.MapGroup("/vault").AddEndpointFilter(ControlSocketOnly.InvokeAsync);
        vault.MapGet("/status", async (KeyVault keys, CancellationToken cancellationToken) =>
            Results.Json(await StatusAsync(keys, cancellationToken).ConfigureAwait(false), ControlJsonContext.Default.VaultStatusReply));
        vault.MapPost("/unseal", UnsealAsync);
        vault.MapPost("/seal", async (HttpContext context, KeyVault keys, ILoggerFactory logs, CancellationToken cancellationToken) =>
        {
            var actor = ControlSocketOnly.Actor(context);
            await keys.SealAsync(actor, cancellationToken).ConfigureAwait(false);
            var logger = logs.CreateLogger("Gateway.Control");
            ControlLog.Sealed(logger, actor);
            return Results.Json(await StatusAsync(keys, cancellationToken).ConfigureAwait(false), ControlJsonContext.Default.VaultStatusReply);
        });
        return endpoints;
    }

    public static async Task<VaultStatusReply> StatusAsync(KeyVault vault, CancellationToken cancellationToken)
    {
        var status = await vault.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var keys = status.IsInitialized ? (await vault.ListAsync(cancellationToken).ConfigureAwait(false)).Count : 0;
        return new VaultStatusReply(status.IsInitialized, status.IsSealed, status.VaultId, status.Threshold, status.ShareCount, status.Sealers, keys);
    }

    private static async Task<IResult> UnsealAsync(HttpContext context, KeyVault vault, VaultHostOptions configured, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger("Gateway.Control");
        var actor = ControlSocketOnly.Actor(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        UnsealRequest? request = null;
        try
        {
            if (context.Request.ContentLength is not 0)
            {
                request = await JsonSerializer.DeserializeAsync(context.Request.Body, ControlJsonContext.Default.UnsealRequest, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            return Refuse("the request body is not an unseal request", StatusCodes.Status400BadRequest);
        }

        try
        {
            var sealer = await UnsealWithAsync(vault, request, configured, actor, cancellationToken).ConfigureAwait(false);
            if (sealer is null)
            {
                return Refuse("no shares given, and the gateway has no unseal-key file or token configured", StatusCodes.Status400BadRequest);
            }

            ControlLog.Unsealed(logger, actor, sealer);
            return Results.Json(await StatusAsync(vault, cancellationToken).ConfigureAwait(false), ControlJsonContext.Default.VaultStatusReply);
        }
        catch (Exception e) when (e is VaultException or ShareException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            // These messages name what is wrong (a share's set, index, count) and never the secret itself.
            ControlLog.UnsealRefused(logger, actor, e.Message);
            return Refuse(e.Message, StatusCodes.Status409Conflict);
        }
    }

    /// <summary>Unseals with what the request carries, else with the gateway's own sealer; the sealer's name, or null for none.</summary>
    private static async Task<string?> UnsealWithAsync(KeyVault vault, UnsealRequest? request, VaultHostOptions configured, string actor, CancellationToken cancellationToken)
    {
        if (request?.Shares is { Count: > 0 } shares)
        {
            await vault.UnsealWithSharesAsync(shares, actor, cancellationToken).ConfigureAwait(false);
            return "officer shares";
        }

        // A request that names no sealer asks for the configured one.
        var keyFile = request?.KeyFile;
        var token = request?.Pkcs11 is { } asked
            ? new Pkcs11TokenOptions { ModulePath = asked.Module, TokenLabel = asked.Token, KeyLabel = asked.Key, Pin = asked.Pin, CreateKeyIfMissing = false }
            : null;
        if (keyFile is null && token is null)
        {
            (keyFile, token) = (configured.UnsealKeyFile, configured.Token);
        }

        if (keyFile is not null)
        {
            await vault.UnsealWithKeyFileAsync(keyFile, actor, cancellationToken).ConfigureAwait(false);
            return "unseal-key file";
        }

        if (token is not null)
        {
            await vault.UnsealWithTokenAsync(token, actor, cancellationToken).ConfigureAwait(false);
            return "PKCS#11 token";
        }

        return null;
    }

    private static IResult Refuse(string message, int status) =>
        Results.Json(new ControlError(message), ControlJsonContext.Default.ControlError, statusCode: status);
}
