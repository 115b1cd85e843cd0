using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Policy;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Host.Tls;

/// <summary>
/// Loads the STARTTLS certificate named by the policy, or with <c>certificate: auto</c> a self-signed one kept
/// under the state directory. Self-signed is acceptable for SMTP between MTAs (RFC 7435 opportunistic
/// security: senders do not validate unless DANE or MTA-STS ask them to), and it means a fresh install offers
/// STARTTLS from the first start; an admin replaces it with a real certificate for submission clients.
/// <para>
/// Certificate files are PEM: the leaf first, then its intermediates (certbot's fullchain.pem), served as the chain;
/// the key in its own file or the same one. Each file is read once per load, and the load remembers a fingerprint of
/// the bytes it used, so <see cref="CertificateWatcher"/> can tell a renewal from the files it already serves.
/// </para>
/// </summary>
internal static class ServerCertificateSource
{
    private const string AutoFileName = "selfsigned.pem";

    /// <summary>
    /// The certificates the policy names, or null when there are none or one fails (each failure is added to
    /// <paramref name="errors"/> at the node naming the file).
    /// </summary>
    public static LoadedCertificates? Load(GatewayPolicy policy, TimeProvider time, List<PolicyError> errors)
    {
        var tls = policy.Tls;

        // Each problem at the node that names the file at fault; a policy built in code has no nodes.
        var fallback = new PolicyPosition(policy.SourceFiles.Count > 0 ? policy.SourceFiles[0] : "policy", 1, 1);
        if (tls.AutoCertificate)
        {
            try
            {
                var path = Path.Combine(policy.StateDirectory, "tls", AutoFileName);
                EnsureSelfSigned(path, policy.HostName, time);
                return new LoadedCertificates(ServerCertificates.Of(X509Certificate2.CreateFromPemFile(path, path)), null);
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                errors.Add((tls.AutoSource ?? fallback).At($"tls.certificate: cannot create or load the self-signed certificate: {ex.Message}"));
                return null;
            }
        }

        if (tls.Certificates.Count == 0)
        {
            return null;
        }

        var loaded = new List<ServerCertificate>();
        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var failed = false;
        foreach (var pair in tls.Certificates)
        {
            var certificateAt = pair.CertificateSource ?? fallback;
            var keyAt = pair.KeySource ?? certificateAt;
            var certificateText = ReadFile(pair.CertificateFile, certificateAt, "certificate", fingerprint, errors);
            var keyText = pair.KeyFile == pair.CertificateFile ? certificateText : ReadFile(pair.KeyFile, keyAt, "key", fingerprint, errors);
            if (certificateText is null || keyText is null)
            {
                failed = true;
                continue;
            }

            if (LoadPair(pair, certificateText, keyText, certificateAt, keyAt, errors) is { } certificate)
            {
                loaded.Add(certificate);
            }
            else
            {
                failed = true;
            }
        }

        if (failed)
        {
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }

            return null;
        }

        return new LoadedCertificates(new ServerCertificates(loaded), Convert.ToHexStringLower(fingerprint.GetHashAndReset()));
    }

    /// <summary>
    /// The fingerprint the certificate files would load with now (null with no files). A file that cannot be read
    /// gives a fingerprint of its own, so a load is tried and reports why.
    /// </summary>
    public static string? Fingerprint(TlsPolicy tls)
    {
        if (tls.AutoCertificate || tls.Certificates.Count == 0)
        {
            return null;
        }

        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var pair in tls.Certificates)
        {
            foreach (var path in pair.KeyFile == pair.CertificateFile ? [pair.CertificateFile] : new[] { pair.CertificateFile, pair.KeyFile })
            {
                try
                {
                    // Follows symbolic links: certbot renews by pointing live/ at new files in archive/.
                    AppendFile(fingerprint, path, File.ReadAllBytes(path));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return "unreadable " + path + ": " + ex.Message;
                }
            }
        }

        return Convert.ToHexStringLower(fingerprint.GetHashAndReset());
    }

    private static string? ReadFile(string path, PolicyPosition at, string what, IncrementalHash fingerprint, List<PolicyError> errors)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            AppendFile(fingerprint, path, bytes);
            return Encoding.ASCII.GetString(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(at.At($"tls.{what}: cannot read '{path}': {ex.Message}"));
            return null;
        }
    }

    // The path goes in too: two files swapping contents is a change.
    private static void AppendFile(IncrementalHash fingerprint, string path, byte[] bytes)
    {
        fingerprint.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
        fingerprint.AppendData(SHA256.HashData(bytes));
    }

    private static ServerCertificate? LoadPair(
        ServerCertificatePolicy pair, string certificateText, string keyText, PolicyPosition certificateAt, PolicyPosition keyAt, List<PolicyError> errors)
    {
        // The certificates alone first, so a broken certificate and a broken key are told apart.
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificateText);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            Dispose(chain);
            errors.Add(certificateAt.At($"tls.certificate: cannot load the certificate in '{pair.CertificateFile}': {ex.Message}"));
            return null;
        }

        if (chain.Count == 0)
        {
            errors.Add(certificateAt.At($"tls.certificate: cannot load the certificate in '{pair.CertificateFile}': no readable PEM certificate"));
            return null;
        }

        X509Certificate2 leaf;
        try
        {
            // The first certificate of the file is the leaf; the key must be its key.
            leaf = X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            Dispose(chain);
            errors.Add(keyAt.At($"tls.key: cannot use the key in '{pair.KeyFile}' with the certificate: {ex.Message}"));
            return null;
        }

        if (!leaf.HasPrivateKey)
        {
            leaf.Dispose();
            Dispose(chain);
            errors.Add(keyAt.At($"tls.key: '{pair.KeyFile}' holds no private key for the certificate"));
            return null;
        }

        chain[0].Dispose();
        var intermediates = new List<X509Certificate2>(chain.Count - 1);
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        try
        {
            return new ServerCertificate(leaf, intermediates);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            leaf.Dispose();
            intermediates.ForEach(c => c.Dispose());
            errors.Add(certificateAt.At($"tls.certificate: cannot use the chain in '{pair.CertificateFile}': {ex.Message}"));
            return null;
        }
    }

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
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
