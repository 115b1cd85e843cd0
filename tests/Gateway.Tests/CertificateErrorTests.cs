using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Testing;

namespace Gateway.Tests;

/// <summary>A certificate or key that does not load is reported at its node's file:line:column, like every policy error.</summary>
public sealed class CertificateErrorTests
{
    private static (string Directory, string PolicyFile) Setup(string certificatePem, string keyPem)
    {
        var directory = TestDirectories.CreateTemp("gw-cert");
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificatePem);
        File.WriteAllText(Path.Combine(directory, "key.pem"), keyPem);
        var policyFile = Path.Combine(directory, "gateway.yaml");
        File.WriteAllText(policyFile, string.Join('\n',
            "hostname: mx.example.test",
            "state_directory: var",
            "listeners:",
            "  - name: inbound",
            "    address: 127.0.0.1:2525",
            "tls:",
            "  certificate: cert.pem",
            "  key: key.pem",
            ""));
        return (directory, policyFile);
    }

    private static IReadOnlyList<PolicyError> Errors(string policyFile)
    {
        var loaded = PolicyLoader.Load(policyFile);
        Assert.True(loaded.Success, string.Join("\n", loaded.Errors));
        var runtime = PolicyRuntime.TryBuild(loaded.Policy!, TestRuntimeServices.Create(), out var errors);
        Assert.Null(runtime);
        return errors;
    }

    private static (string Certificate, string Key) NewCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mx.example.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public void A_broken_certificate_is_reported_at_the_certificate_node()
    {
        var (_, key) = NewCertificate();
        var (_, policyFile) = Setup("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", key);

        var error = Assert.Single(Errors(policyFile));

        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{policyFile}:7:16: tls.certificate: cannot load the certificate in "), error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_key_is_reported_at_the_key_node()
    {
        var (certificate, _) = NewCertificate();
        var (_, policyFile) = Setup(certificate, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");

        var error = Assert.Single(Errors(policyFile));

        Assert.StartsWith($"{policyFile}:8:8: tls.key: cannot use the key in ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_certificate_is_reported_at_the_key_node()
    {
        var (certificate, _) = NewCertificate();
        var (_, otherKey) = NewCertificate();
        var (_, policyFile) = Setup(certificate, otherKey);

        var error = Assert.Single(Errors(policyFile));

        Assert.StartsWith($"{policyFile}:8:8: tls.key: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_matching_pair_loads()
    {
        var (certificate, key) = NewCertificate();
        var (_, policyFile) = Setup(certificate, key);
        var loaded = PolicyLoader.Load(policyFile);

        using var runtime = PolicyRuntime.TryBuild(loaded.Policy!, TestRuntimeServices.Create(), out var errors);

        Assert.Empty(errors);
        Assert.True(runtime!.Certificates!.All[0].Certificate.HasPrivateKey);
    }
}
