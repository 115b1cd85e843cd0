using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Host.Admin;

/// <summary>
/// GET /smime/crl/{caId}.crl: the internal CA's latest CRL as `ca crl` or a revocation wrote it (DER,
/// RFC 5280 4.2.1.13 / RFC 2585 content type). It reads the file only, so it answers while the vault is sealed.
/// </summary>
internal static class CrlEndpoint
{
    public const string ContentType = "application/pkix-crl";

    // CA ids are lower-case hex (8 random bytes); anything else never reaches the file system.
    private const int MaxCaIdLength = 64;

    public static IEndpointRouteBuilder MapSmimeCrl(this IEndpointRouteBuilder endpoints, Func<IServiceProvider, string> crlDirectory)
    {
        endpoints.MapGet("/smime/crl/{caId}.crl", (string caId, HttpContext context, CancellationToken cancellationToken) =>
            ServeAsync(crlDirectory(context.RequestServices), caId, cancellationToken));
        return endpoints;
    }

    internal static async Task<IResult> ServeAsync(string directory, string caId, CancellationToken cancellationToken)
    {
        if (caId.Length is 0 or > MaxCaIdLength || !caId.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return Results.NotFound();
        }

        try
        {
            // Read whole: the CA replaces the file by rename, so this is one complete CRL, old or new.
            var crl = await File.ReadAllBytesAsync(Path.Combine(directory, caId + ".crl"), cancellationToken).ConfigureAwait(false);
            return Results.Bytes(crl, ContentType);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Results.NotFound();
        }
    }
}
