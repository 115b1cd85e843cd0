using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Policy;
using Gateway.Smime.Ca;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway ca init` creates the internal S/MIME CA in the key vault and prints its certificate (public, for
/// clients to trust); `gateway ca crl` signs a fresh CRL (run it daily, e.g. from cron) and prints its path.
/// </summary>
internal static class CaCommand
{
    private const int DefaultValidityDays = 3650;

    public static Task<int> ExecuteAsync(CommandLine command, CommandConsole console, TimeProvider time, CancellationToken cancellationToken) => command.Verb switch
    {
        "init" => InitAsync(command, console, time, cancellationToken),
        _ => CliCa.RunAsync(command, console, time, (_, ca) => CrlAsync(ca, console, cancellationToken), cancellationToken),
    };

    private static async Task<int> InitAsync(CommandLine command, CommandConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        CaKeyAlgorithm algorithm;
        switch (command.Option("--algorithm") ?? "rsa3072")
        {
            case "rsa3072":
                algorithm = CaKeyAlgorithm.Rsa3072;
                break;
            case "p256":
                algorithm = CaKeyAlgorithm.EcP256;
                break;
            case var other:
                await console.Error.WriteLineAsync($"gateway: unknown --algorithm '{other}' (rsa3072 or p256)").ConfigureAwait(false);
                return ExitCodes.Usage;
        }

        var days = DefaultValidityDays;
        if (command.Option("--validity-days") is { } daysText && (!int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > 36500))
        {
            await console.Error.WriteLineAsync("gateway: --validity-days must be 1..36500").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        Uri? crlUrl = null;
        if (command.Option("--crl-url") is { } urlText && (!Uri.TryCreate(urlText, UriKind.Absolute, out crlUrl) || crlUrl.Scheme is not ("http" or "https")))
        {
            await console.Error.WriteLineAsync("gateway: --crl-url must be an absolute http(s) URL").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await CliCa.RunAsync(command, console, time, async (policy, ca) =>
        {
            var subject = command.Option("--subject") ?? $"CN={policy.HostName} S/MIME CA";
            try
            {
                _ = new X500DistinguishedName(subject);
            }
            catch (CryptographicException)
            {
                await console.Error.WriteLineAsync($"gateway: --subject '{subject}' is not a distinguished name (e.g. \"CN=Example Mail CA, O=Example\")").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var info = await ca.InitAsync(subject, algorithm, TimeSpan.FromDays(days), crlUrl ?? DefaultCrlBase(policy), CliVault.Actor, cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
                ca id:        {info.CaId}
                subject:      {info.Subject}
                sha-256:      {info.Sha256Thumbprint}
                valid:        {info.NotBefore:u} .. {info.NotAfter:u}
                crl:          {info.CrlUrl} (file {ca.CrlPath(info.CaId)})
                """)).ConfigureAwait(false);
            using var certificate = X509CertificateLoader.LoadCertificate(info.Certificate);
            await console.Out.WriteLineAsync(certificate.ExportCertificatePem()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CrlAsync(CertificateAuthority ca, CommandConsole console, CancellationToken cancellationToken)
    {
        var crl = await ca.GenerateCrlAsync(CliVault.Actor, cancellationToken).ConfigureAwait(false);
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{crl.Path}\ncrl number {crl.Number}, {crl.RevokedCount} revoked, next update {crl.NextUpdate:u}")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Where relying parties fetch the CRL unless --crl-url says otherwise: the admin listener's port on the
    /// gateway's host name (the admin endpoint serves /smime/crl/; expose that path, or publish the files elsewhere).
    /// </summary>
    private static Uri DefaultCrlBase(GatewayPolicy policy) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://{policy.HostName}:{policy.Admin.Listen.Port}/smime/crl/"));
}
