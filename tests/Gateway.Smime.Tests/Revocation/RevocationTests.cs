using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Cms;
using Gateway.Smime.Revocation;
using Gateway.Smime.Tests.Cms;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Math;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.Tests.Revocation;

/// <summary>CRLs from a local HTTP server and from an imported directory, judged by the checker and through the verifier.</summary>
public sealed class RevocationTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Now));
    private readonly CrlHttpServer _server = new();
    private readonly TempDirectory _directory = new("gw-crl");
    private readonly List<HttpClientFetcher> _fetchers = [];
    private readonly TestCa _ca = TestPki.CreateCa();

    public void Dispose()
    {
        foreach (var fetcher in _fetchers)
        {
            fetcher.Dispose();
        }

        _server.Dispose();
        _directory.Dispose();
    }

    private TestIdentity Leaf(TestCa? issuer = null, string path = "ca.crl") =>
        TestPki.Issue(issuer ?? _ca, "alice@example.com", customize: TestCrls.DistributionPoint(_server.Url(path)));

    private static byte[] Crl(TestCa issuer, params BigInteger[] revoked) => TestCrls.Create(issuer, revoked, Now.AddHours(-1), Now.AddDays(1)).GetEncoded();

    private RevocationChecker Checker(bool require = false, HttpFetchOptions? fetch = null, params ICrlSource[] before)
    {
        var fetcher = new HttpClientFetcher(fetch ?? new HttpFetchOptions());
        _fetchers.Add(fetcher);
        var http = new DistributionPointCrlSource(fetcher, new CrlFetchOptions(), _clock, NullLogger<DistributionPointCrlSource>.Instance);
        return new RevocationChecker([.. before, http], new RevocationOptions { RequireRevocationCheck = require }, _clock, NullLogger<RevocationChecker>.Instance);
    }

    private async Task<SmimeVerifyResult> SignAndVerifyAsync(TestIdentity signer, RevocationChecker? checker, IReadOnlyList<BcCertificate>? chain = null)
    {
        var keys = new InMemorySmimeKeySource();
        keys.AddSigningKey("alice@example.com", signer.PrivateKey, chain ?? signer.Chain);
        var message = TestMessages.Plain();
        await new SmimeSigner(keys, _clock).SignAsync(message, "alice@example.com", SmimeSignOptions.Default, default);
        var trust = new SmimeTrust([X509CertificateLoader.LoadCertificate(_ca.Certificate.GetEncoded())]);
        var verifier = new SmimeVerifier(trust, _clock, SmimeLimits.Default, checker);
        return await verifier.VerifyAsync(new MemoryStream(TestMessages.ToWireBytes(message)), default);
    }

    [Fact]
    public async Task A_revoked_signer_is_marked_revoked_and_not_harvested()
    {
        var alice = Leaf();
        _server.Serve("ca.crl", Crl(_ca, BigInteger.ValueOf(7), alice.Certificate.SerialNumber));

        var result = await SignAndVerifyAsync(alice, Checker());

        Assert.Equal(SmimeVerifyStatus.Untrusted, result.Status);
        var signer = Assert.Single(result.SignerResults);
        Assert.True(signer.SignatureValid);
        Assert.Equal(SmimeChainStatus.Revoked, signer.ChainStatus);
        Assert.Equal(RevocationStatus.Revoked, signer.Revocation);
        Assert.Empty(result.HarvestedCertificates);
    }

    [Fact]
    public async Task A_signer_not_on_the_CRL_is_valid_and_without_a_checker_nothing_is_fetched()
    {
        var alice = Leaf();
        _server.Serve("ca.crl", Crl(_ca, BigInteger.ValueOf(7)));

        var unchecked_ = await SignAndVerifyAsync(alice, checker: null);
        Assert.Equal(0, _server.Requests("ca.crl"));
        var result = await SignAndVerifyAsync(alice, Checker());

        Assert.Equal(RevocationStatus.NotChecked, Assert.Single(unchecked_.SignerResults).Revocation);
        Assert.Equal(SmimeVerifyStatus.Valid, result.Status);
        Assert.Equal(RevocationStatus.Good, Assert.Single(result.SignerResults).Revocation);
        Assert.Single(result.HarvestedCertificates);
    }

    [Fact]
    public async Task A_revoked_intermediate_revokes_the_signer_below_it()
    {
        var intermediate = TestPki.CreateCa("Gateway Test Intermediate", _ca, TestCrls.DistributionPoint(_server.Url("root.crl")));
        var alice = Leaf(intermediate, "intermediate.crl");
        _server.Serve("intermediate.crl", Crl(intermediate));
        _server.Serve("root.crl", Crl(_ca, intermediate.Certificate.SerialNumber));

        var result = await SignAndVerifyAsync(alice, Checker(), [alice.Certificate, intermediate.Certificate]);

        var signer = Assert.Single(result.SignerResults);
        Assert.Equal(SmimeChainStatus.Revoked, signer.ChainStatus);
        Assert.Contains("Intermediate", signer.RevocationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_CRL_with_a_bad_signature_is_ignored_and_unknown_fails_only_when_required()
    {
        var alice = Leaf();
        var impostor = TestPki.CreateCa();
        _server.Serve("ca.crl", TestCrls.Create(_ca, [alice.Certificate.SerialNumber], Now.AddHours(-1), Now.AddDays(1), impostor.PrivateKey).GetEncoded());

        var lenient = await SignAndVerifyAsync(alice, Checker());
        var strict = await SignAndVerifyAsync(alice, Checker(require: true));

        Assert.Equal(SmimeVerifyStatus.Valid, lenient.Status);
        Assert.Equal(RevocationStatus.Unknown, Assert.Single(lenient.SignerResults).Revocation);
        Assert.Equal(SmimeVerifyStatus.Untrusted, strict.Status);
        Assert.Equal(SmimeChainStatus.RevocationUnknown, Assert.Single(strict.SignerResults).ChainStatus);
    }

    [Fact]
    public async Task A_stale_CRL_or_one_from_the_future_is_not_believed()
    {
        var alice = Leaf();
        var checker = Checker();
        _server.Serve("ca.crl", TestCrls.Create(_ca, [alice.Certificate.SerialNumber], Now.AddDays(-10), Now.AddDays(-3)).GetEncoded());
        Assert.Equal(RevocationStatus.Unknown, (await checker.CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);

        _server.Serve("ca.crl", TestCrls.Create(_ca, [alice.Certificate.SerialNumber], Now.AddHours(2), Now.AddDays(3)).GetEncoded());
        Assert.Equal(RevocationStatus.Unknown, (await Checker().CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);
    }

    [Fact]
    public async Task An_oversized_CRL_is_refused()
    {
        var alice = Leaf();
        var big = TestCrls.Create(_ca, [alice.Certificate.SerialNumber], Now.AddHours(-1), Now.AddDays(1), padding: 2_000).GetEncoded();
        Assert.True(big.Length > 20_000);
        _server.Serve("ca.crl", big);
        var limits = new HttpFetchOptions { MaxBytes = 20_000 };
        using var fetcher = new HttpClientFetcher(limits);

        var fetched = await fetcher.FetchAsync(new Uri(_server.Url("ca.crl")), default);
        var result = await Checker(fetch: limits).CheckAsync([alice.Certificate, _ca.Certificate], default);

        Assert.Null(fetched.Body);
        Assert.Contains("larger than", fetched.Problem, StringComparison.Ordinal);
        Assert.Equal(RevocationStatus.Unknown, result.Status);
    }

    [Fact]
    public async Task A_fetched_CRL_is_reused_until_its_next_update()
    {
        var alice = Leaf();
        _server.Serve("ca.crl", Crl(_ca));
        var checker = Checker();

        Assert.Equal(RevocationStatus.Good, (await checker.CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);
        _server.Serve("ca.crl", Crl(_ca, alice.Certificate.SerialNumber));
        _clock.Advance(TimeSpan.FromHours(12));
        Assert.Equal(RevocationStatus.Good, (await checker.CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);
        Assert.Equal(1, _server.Requests("ca.crl"));

        // Past the first CRL's nextUpdate it is fetched again; the new one is current until Now + 1 day as well,
        // so move the clock back inside it.
        _clock.Advance(TimeSpan.FromHours(13));
        _server.Serve("ca.crl", TestCrls.Create(_ca, [alice.Certificate.SerialNumber], Now.AddHours(20), Now.AddDays(3)).GetEncoded());
        Assert.Equal(RevocationStatus.Revoked, (await checker.CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);
        Assert.Equal(2, _server.Requests("ca.crl"));
    }

    [Fact]
    public async Task Redirects_are_followed_only_to_http()
    {
        var alice = Leaf(path: "moved.crl");
        _server.Serve("ca.crl", Crl(_ca, alice.Certificate.SerialNumber));
        _server.Redirect("moved.crl", _server.Url("ca.crl"));
        using var fetcher = new HttpClientFetcher(new HttpFetchOptions());

        Assert.Equal(RevocationStatus.Revoked, (await Checker().CheckAsync([alice.Certificate, _ca.Certificate], default)).Status);

        _server.Redirect("moved.crl", "file:///etc/passwd");
        var refused = await fetcher.FetchAsync(new Uri(_server.Url("moved.crl")), default);
        Assert.Null(refused.Body);
        Assert.Contains("not an http", refused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_imported_CRL_file_decides_before_the_network_is_asked()
    {
        var alice = Leaf();
        await File.WriteAllBytesAsync(_directory.File("ca.crl"), Crl(_ca, alice.Certificate.SerialNumber));
        await File.WriteAllTextAsync(_directory.File("junk.crl"), "not a CRL");
        var imported = new CrlDirectorySource(_directory.Path, NullLogger<CrlDirectorySource>.Instance);

        var result = await Checker(before: imported).CheckAsync([alice.Certificate, _ca.Certificate], default);

        Assert.Equal(RevocationStatus.Revoked, result.Status);
        Assert.Equal(0, _server.Requests("ca.crl"));
    }

    [Fact]
    public async Task No_distribution_point_and_no_import_is_unknown()
    {
        var alice = TestPki.Issue(_ca, "alice@example.com");

        var result = await Checker().CheckAsync([alice.Certificate, _ca.Certificate], default);

        Assert.Equal(RevocationStatus.Unknown, result.Status);
    }
}
