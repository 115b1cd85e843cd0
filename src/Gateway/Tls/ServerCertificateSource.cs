using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Policy;

namespace Gateway.Host.Tls;

/// <summary>
/// Loads the STARTTLS certificate named by the policy, or with <c>certificate: auto</c> a self-signed one kept
/// under the state directory. Self-signed is acceptable for SMTP between MTAs (RFC 7435 opportunistic
/// security: senders do not validate unless DANE or MTA-STS ask them to), and it means a fresh install offers
/// STARTTLS from the first start; an admin replaces it with a real certificate for submission clients.
/// </summary>
internal static class ServerCertificateSource
{
    private const string AutoFileName = "selfsigned.pem";

    public static X509Certificate2? Load(GatewayPolicy policy, TimeProvider time, List<PolicyError> errors)
    {
        var tls = policy.Tls;

        // Each problem at the node that names the file at fault; a policy built in code has no nodes.
        var fallback = new PolicyPosition(policy.SourceFiles.Count > 0 ? policy.SourceFiles[0] : "policy", 1, 1);
        var certificateAt = tls.CertificateSource ?? fallback;
        var keyAt = tls.KeySource ?? certificateAt;
        if (tls.AutoCertificate)
        {
            try
            {
                var path = Path.Combine(policy.StateDirectory, "tls", AutoFileName);
                EnsureSelfSigned(path, policy.HostName, time);
                return X509Certificate2.CreateFromPemFile(path, path);
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                errors.Add(certificateAt.At($"tls.certificate: cannot create or load the self-signed certificate: {ex.Message}"));
                return null;
            }
        }

        if (tls.CertificateFile is not { } certificateFile)
        {
            return null;
        }

        var keyFile = tls.KeyFile ?? certificateFile;
        try
        {
            // The certificate alone first, so a broken certificate and a broken key are told apart.
            using var alone = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            errors.Add(certificateAt.At($"tls.certificate: cannot load the certificate in '{certificateFile}': {ex.Message}"));
            return null;
        }

        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                errors.Add(keyAt.At($"tls.key: '{keyFile}' holds no private key for the certificate"));
                return null;
            }

            return certificate;
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            errors.Add(keyAt.At($"tls.key: cannot use the key in '{keyFile}' with the certificate: {ex.Message}"));
            return null;
        }
    }

    private static bool IsLoadFailure(Exception ex) =>
        ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException;

    /// <summary>Creates (or renews when it expires within 30 days) the self-signed certificate, written atomically with mode 0600.</summary>
    private static void EnsureSelfSigned(string path, string hostName, TimeProvider time)
    {
        var now = time.GetUtcNow();
        if (File.Exists(path))
        {
            try
            {
                using var existing = X509Certificate2.CreateFromPemFile(path, path);
                if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(30)
                    && existing.GetNameInfo(X509NameType.DnsName, false) == hostName)
                {
                    return;
                }
            }
            catch (CryptographicException)
            {
                // Unreadable: replace it below.
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        var pem = new StringBuilder()
            .Append(certificate.ExportCertificatePem()).Append('\n')
            .Append(key.ExportPkcs8PrivateKeyPem()).Append('\n')
            .ToString();

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{AutoFileName}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(pem));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
