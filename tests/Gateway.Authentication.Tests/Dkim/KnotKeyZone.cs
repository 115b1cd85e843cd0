using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>
/// A real knot server on 127.0.0.1 publishing the test keys of example.com, shared by the tests of one class:
/// rsa1/ed1 (our generated keys), pyed (an Ed25519 key in python-dkim's raw-seed form).
/// </summary>
public sealed class KnotKeyZone : IAsyncLifetime
{
    private KnotDns? _knot;

    public KnotKeyZone()
    {
        var seed = new Ed25519PrivateKeyParameters(new SecureRandom());
        PythonEd25519Seed = Convert.ToBase64String(seed.GetEncoded());
        PythonEd25519Record = "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(seed.GeneratePublicKey().GetEncoded());
    }

    public KnotDns Knot => _knot ?? throw new InvalidOperationException("knot is not running");

    /// <summary>The base64 32-byte seed python-dkim signs Ed25519 with (the dknewkey format).</summary>
    public string PythonEd25519Seed { get; }

    public string PythonEd25519Record { get; }

    /// <summary>Our resolver, asking only the knot server.</summary>
    public IDnsResolver Resolver() =>
        new DnsClientResolver(new DnsResolverOptions { Servers = [Knot.EndPoint], Retries = 1 }, NullLogger<DnsClientResolver>.Instance);

    public async Task InitializeAsync()
    {
        var records =
            "rsa1._domainkey TXT " + TestKeys.Rsa.ToZoneFileText() + "\n" +
            "ed1._domainkey TXT " + TestKeys.Ed25519.ToZoneFileText() + "\n" +
            "pyed._domainkey TXT " + Gateway.Authentication.Dkim.DkimKeyGenerator.FormatTxtForZone(PythonEd25519Record) + "\n" +
            "revoked._domainkey TXT \"v=DKIM1; k=rsa; p=\"\n";
        _knot = await KnotDns.StartAsync(new Dictionary<string, string> { ["example.com"] = records });
    }

    public async Task DisposeAsync()
    {
        if (_knot is not null)
        {
            await _knot.DisposeAsync();
        }
    }
}
