using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing;

/// <summary>
/// A root CA, an intermediate CA and a server leaf generated at test time, for chain and DANE tests. The leaf
/// carries the given dNSName SANs; its validity can be moved to make it expired.
/// </summary>
public sealed class TestCertificateChain : IDisposable
{
    private TestCertificateChain(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf)
    {
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    /// <summary>What a server presents after its leaf: the intermediate and the root.</summary>
    public IReadOnlyList<X509Certificate2> Presented => [Intermediate, Root];

    /// <param name="now">The reference time: CAs are valid a year around it.</param>
    /// <param name="leafNames">dNSName SANs of the leaf (the first is also its CN); none: a CN-only leaf named "cn-only.test".</param>
    /// <param name="leafNotBefore">Start of the leaf's validity (default an hour before <paramref name="now"/>).</param>
    /// <param name="leafNotAfter">End of the leaf's validity (default 30 days after <paramref name="now"/>).</param>
    public static TestCertificateChain Create(DateTimeOffset now, IReadOnlyList<string> leafNames, DateTimeOffset? leafNotBefore = null, DateTimeOffset? leafNotAfter = null)
    {
        ArgumentNullException.ThrowIfNull(leafNames);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = CaRequest("Gateway Test Root", rootKey).CreateSelfSigned(now.AddYears(-1), now.AddYears(1));
        using var intermediateOnly = CaRequest("Gateway Test Intermediate", intermediateKey)
            .Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), now.AddYears(-1), now.AddYears(1), Serial());
        var intermediate = intermediateOnly.CopyWithPrivateKey(intermediateKey);

        var leafRequest = new CertificateRequest("CN=" + (leafNames.Count > 0 ? leafNames[0] : "cn-only.test"), leafKey, HashAlgorithmName.SHA256);
        if (leafNames.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in leafNames)
            {
                san.AddDnsName(name);
            }

            leafRequest.CertificateExtensions.Add(san.Build());
        }

        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leafOnly = leafRequest.Create(
            intermediate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(intermediateKey),
            leafNotBefore ?? now.AddHours(-1),
            leafNotAfter ?? now.AddDays(30),
            Serial());
        var leaf = leafOnly.CopyWithPrivateKey(leafKey);
        return new TestCertificateChain(root, intermediate, leaf);
    }

    public void Dispose()
    {
        Leaf.Dispose();
        Intermediate.Dispose();
        Root.Dispose();
    }

    private static CertificateRequest CaRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);
}
