using Gateway.Authentication.Dkim;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>
/// Our DKIM against Debian's python3-dkim, both asking DNS of a real knot server on 127.0.0.1 (issue 4).
/// </summary>
public sealed class CrossImplementationTests(KnotKeyZone zone) : IClassFixture<KnotKeyZone>, IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PythonDkim _python = new();

    public void Dispose() => _python.Dispose();

    private async Task<IReadOnlyList<DkimSignatureResult>> OursAsync(byte[] raw) =>
        await new DkimVerifierService(zone.Resolver(), DkimVerifyOptions.Default, _time).VerifyAsync(TestMessages.Parse(raw), CancellationToken.None);

    [Theory]
    [InlineData(TestMessages.Plain)]
    [InlineData(TestMessages.Multipart)]
    public async Task What_we_sign_verifies_with_python_dkim(string text)
    {
        var raw = TestMessages.Bytes(text);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();

        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [rsa, ed]), raw);

        Assert.Equal("pass pass", await _python.VerifyAsync(zone.Knot.EndPoint, signed));
        Assert.All(await OursAsync(signed), r => Assert.Equal(DkimResult.Pass, r.Result));
    }

    [Theory]
    [InlineData("this is   a test.", "this is   a toast.")]
    [InlineData("Subject: Hello  there", "Subject: Hello  where")]
    public async Task What_we_sign_and_is_then_tampered_fails_with_python_dkim(string from, string to)
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [rsa, ed]), raw);

        var tampered = TestMessages.Replace(signed, from, to);

        Assert.Equal("fail fail", await _python.VerifyAsync(zone.Knot.EndPoint, tampered));
        Assert.All(await OursAsync(tampered), r => Assert.Equal(DkimResult.Fail, r.Result));
    }

    [Fact]
    public async Task What_python_signs_with_rsa_verifies_with_ours()
    {
        var raw = TestMessages.Bytes(TestMessages.Multipart);

        var header = await _python.SignAsync("rsa-sha256", "rsa1", "example.com", TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem), raw);

        var result = Assert.Single(await OursAsync(TestMessages.Concat(header, raw)));
        Assert.Equal((DkimResult.Pass, "example.com", "rsa1", "rsa-sha256"), (result.Result, result.Domain, result.Selector, result.Algorithm));
    }

    [Fact]
    public async Task What_python_signs_with_ed25519_verifies_with_ours()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);

        var header = await _python.SignAsync("ed25519-sha256", "pyed", "example.com", zone.PythonEd25519Seed, raw);

        var result = Assert.Single(await OursAsync(TestMessages.Concat(header, raw)));
        Assert.Equal((DkimResult.Pass, "pyed", "ed25519-sha256"), (result.Result, result.Selector, result.Algorithm));
    }

    [Theory]
    [InlineData("rsa-sha256", "rsa1", "this is   a test.", "this is   a toast.")]
    [InlineData("ed25519-sha256", "pyed", "Subject: Hello  there", "Subject: Hello  where")]
    public async Task What_python_signs_and_is_then_tampered_fails_with_ours(string algorithm, string selector, string from, string to)
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        var key = algorithm == "rsa-sha256" ? TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem) : zone.PythonEd25519Seed;
        var signed = TestMessages.Concat(await _python.SignAsync(algorithm, selector, "example.com", key, raw), raw);

        var tampered = TestMessages.Replace(signed, from, to);

        Assert.Equal(DkimResult.Fail, Assert.Single(await OursAsync(tampered)).Result);
        Assert.Equal("fail", await _python.VerifyAsync(zone.Knot.EndPoint, tampered));
    }

    [Fact]
    public async Task Revoked_and_missing_keys_over_real_dns_are_permerror()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var revoked = DkimSigningKey.FromPem("example.com", "revoked", TestKeys.Rsa.PrivateKeyPem);
        using var missing = DkimSigningKey.FromPem("example.com", "absent", TestKeys.Rsa.PrivateKeyPem);

        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [revoked, missing]), raw);

        var results = await OursAsync(signed);
        Assert.Equal([(DkimResult.PermError, "key revoked"), (DkimResult.PermError, "no key for signature")], results.Select(r => (r.Result, r.Reason)));
    }
}
