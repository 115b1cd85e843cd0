using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Spf;
using Gateway.Pipeline;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Builds the sender-authentication services of one policy snapshot over the host's shared resolver and Public
/// Suffix List. Keys that do not load are reported at the position of their `key:` node, so `gateway check` and a
/// reload name the exact line.
/// </summary>
internal static class AuthenticationFactory
{
    public static SenderAuthentication? Build(GatewayPolicy policy, RuntimeServices services, List<PolicyError> problems)
    {
        var loggers = services.Loggers;
        var time = services.Time;
        var auth = policy.Authentication;
        var signingKeys = new List<DkimSigningKey>();
        foreach (var key in auth.Dkim.Sign)
        {
            if (LoadKey(key.Domain, key.Selector, key.KeyFile, key.Source, problems) is { } loaded)
            {
                if (key.Algorithm is { } declared && declared != ToPolicy(loaded.Algorithm))
                {
                    problems.Add(key.Source.At($"the key in '{key.KeyFile}' is {loaded.AlgorithmName}, not {(declared == DkimAlgorithm.RsaSha256 ? "rsa-sha256" : "ed25519-sha256")} as 'algorithm' says"));
                    loaded.Dispose();
                    continue;
                }

                signingKeys.Add(loaded);
            }
        }

        var sealKey = auth.Arc.Seal is { } seal ? LoadKey(seal.Domain, seal.Selector, seal.KeyFile, seal.Source, problems) : null;

        PublicSuffixList suffixes;
        try
        {
            suffixes = services.Suffixes.Get(auth.Dmarc.PublicSuffixList);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            problems.Add(new PolicyError(policy.SourceFiles.Count > 0 ? policy.SourceFiles[0] : "policy", 1, 1, $"authentication.dmarc.public_suffix_list: {ex.Message}"));
            suffixes = services.Suffixes.Get(null);
        }

        if (problems.Count > 0)
        {
            foreach (var key in signingKeys)
            {
                key.Dispose();
            }

            sealKey?.Dispose();
            return null;
        }

        var dns = services.Dns;
        var verifyOptions = new DkimVerifyOptions { MaxSignatures = auth.Dkim.MaxSignatures, AllowUnsignedContent = auth.Dkim.AllowUnsignedContent };
        return new SenderAuthentication
        {
            Policy = auth,
            AuthservId = auth.AuthservId ?? policy.HostName,
            Spf = new SpfVerifier(dns, new SpfOptions(), time, loggers.CreateLogger<SpfVerifier>()),
            Dkim = new DkimVerifierService(dns, verifyOptions, time, loggers.CreateLogger<DkimVerifierService>()),
            Arc = new ArcVerifierService(dns, verifyOptions, loggers.CreateLogger<ArcVerifierService>()),
            Dmarc = new DmarcEvaluator(dns, suffixes, null, loggers.CreateLogger<DmarcEvaluator>()),
            Signer = new DkimSigningService(time, null, loggers.CreateLogger<DkimSigningService>()),
            Sealer = new ArcSealingService(time, null, loggers.CreateLogger<ArcSealingService>()),
            SigningKeys = signingKeys,
            SealKey = sealKey,
            Reports = auth.Dmarc.Reports.Enabled ? services.Reports : null,
            Time = time,
        };
    }

    private static DkimAlgorithm ToPolicy(DkimSigningAlgorithm algorithm) =>
        algorithm == DkimSigningAlgorithm.RsaSha256 ? DkimAlgorithm.RsaSha256 : DkimAlgorithm.Ed25519Sha256;

    private static DkimSigningKey? LoadKey(string domain, string selector, string path, PolicyPosition source, List<PolicyError> problems)
    {
        try
        {
            return DkimSigningKey.Load(domain, selector, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or FormatException
            or InvalidDataException or System.Security.Cryptography.CryptographicException or NotSupportedException)
        {
            problems.Add(source.At($"cannot use the key in '{path}': {ex.Message}"));
            return null;
        }
    }
}
