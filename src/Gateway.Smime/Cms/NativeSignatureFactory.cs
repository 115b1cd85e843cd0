using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Smime.Cms;

/// <summary>
/// A BouncyCastle signature factory whose signature is made by the platform (OpenSSL): BouncyCastle's CMS generator
/// still decides the structure and the signed attributes, only the RSA PKCS#1 v1.5 or ECDSA operation over them
/// moves. SHA-256 throughout (RFC 8551 2.1).
/// </summary>
internal sealed class NativeSignatureFactory : ISignatureFactory, IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private readonly NativeKeyPool? _pool;

    /// <param name="key">The signing key.</param>
    /// <param name="pool">Platform copies of <paramref name="key"/> to borrow from; null imports a copy for this factory.</param>
    public NativeSignatureFactory(AsymmetricKeyParameter key, NativeKeyPool? pool = null)
    {
        _pool = pool;
        switch (key)
        {
            case RsaKeyParameters:
                _rsa = (RSA)(pool?.Rent() ?? NativeKeys.Rsa(key));
                AlgorithmDetails = new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, Org.BouncyCastle.Asn1.DerNull.Instance);
                break;
            case ECPrivateKeyParameters:
                _ecdsa = (ECDsa)(pool?.Rent() ?? NativeKeys.Ecdsa(key));
                AlgorithmDetails = new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256);
                break;
            default:
                throw new NotSupportedException($"Signing keys of type {key.GetType().Name} are not supported; use RSA or EC P-256.");
        }
    }

    public object AlgorithmDetails { get; }

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(this);

    public void Dispose()
    {
        AsymmetricAlgorithm? key = _rsa is not null ? _rsa : _ecdsa;
        if (key is null)
        {
            return;
        }
        if (_pool is not null)
        {
            _pool.Return(key);
        }
        else
        {
            key.Dispose();
        }
    }

    private byte[] Sign(byte[] data) => _rsa is not null
        ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : _ecdsa!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Collects what is signed (the DER of the signed attributes, a few hundred bytes) and signs it at the end.</summary>
    private sealed class Calculator(NativeSignatureFactory factory) : IStreamCalculator<IBlockResult>, IDisposable
    {
        private readonly MemoryStream _data = new();

        public Stream Stream => _data;

        public IBlockResult GetResult() => new SimpleBlockResult(factory.Sign(_data.ToArray()));

        public void Dispose() => _data.Dispose();
    }
}
