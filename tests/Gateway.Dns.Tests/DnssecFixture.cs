using System.Diagnostics;
using Gateway.Testing.Peers;

namespace Gateway.Dns.Tests;

/// <summary>
/// One knot + validating unbound pair for all of <see cref="DnssecIntegrationTests"/>: signing zones and starting
/// two servers costs far more than the questions, so it is paid once per class.
/// </summary>
public sealed class DnssecFixture : IAsyncLifetime
{
    /// <summary>The SHA-256 of some key's SubjectPublicKeyInfo: a DANE-EE(3) SPKI(1) SHA-256(1) record (RFC 7671 5.1).</summary>
    public static readonly byte[] TlsaDigest = Convert.FromHexString("8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1");

    private ValidatingDns? _dns;

    public ValidatingDns Dns => _dns ?? throw new InvalidOperationException("fixture not started");

    /// <summary>How long knot, signing and unbound took to come up (reported by a test, to keep an eye on it).</summary>
    public TimeSpan StartTime { get; private set; }

    public async Task InitializeAsync()
    {
        var mail = string.Join('\n',
            "@ MX 10 mx",
            "mx A 192.0.2.25",
            $"_25._tcp.mx TLSA 3 1 1 {Convert.ToHexStringLower(TlsaDigest)}");
        var started = Stopwatch.StartNew();
        _dns = await ValidatingDns.StartAsync(
        [
            new DnssecZone("signed.test", mail, DnssecState.Secure),
            new DnssecZone("plain.test", mail, DnssecState.Insecure),
            new DnssecZone("bogus.test", mail, DnssecState.Bogus),
        ]);
        StartTime = started.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }
}
