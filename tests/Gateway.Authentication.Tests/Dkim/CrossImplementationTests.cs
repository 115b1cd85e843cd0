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

    private static byte[] Append(byte[] message, string text) => [.. message, .. System.Text.Encoding.ASCII.GetBytes(text)];

    private async Task<string> SignWithLengthAsync(byte[] raw, string body) =>
        await _python.SignAsync("rsa-sha256", "rsa1", "example.com", TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem), raw, body, bodyLength: true);

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

    [Theory]
    [InlineData("relaxed")]
    [InlineData("simple")]
    public async Task A_body_length_limit_that_covers_the_whole_body_passes(string body)
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        var signed = TestMessages.Concat(await SignWithLengthAsync(raw, body), raw);

        var result = Assert.Single(await OursAsync(signed));
        Assert.Equal(DkimResult.Pass, result.Result);
        Assert.NotNull(result.BodyLength);
        Assert.Contains("body length limit", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relaxed")]
    [InlineData("simple")]
    public async Task Content_appended_after_the_body_length_limit_is_policy_not_pass(string body)
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        var signed = TestMessages.Concat(await SignWithLengthAsync(raw, body), raw);
        const string Appended = "\r\n\r\nYour account is locked: sign in at https://login.example.net/ today.\r\n";
        var appended = Append(signed, Appended);

        // The attack is real: the other implementation still calls the signature good.
        Assert.Equal("pass", await _python.VerifyAsync(zone.Knot.EndPoint, appended));

        var result = Assert.Single(await OursAsync(appended));
        Assert.Equal(DkimResult.Policy, result.Result);
        Assert.Matches(@"^l=\d+ leaves \d+ octets of the body unsigned$", result.Reason);

        var allowing = new DkimVerifierService(zone.Resolver(), DkimVerifyOptions.Default with { AllowUnsignedContent = true }, _time);
        Assert.Equal(DkimResult.Pass, Assert.Single(await allowing.VerifyAsync(TestMessages.Parse(appended), CancellationToken.None)).Result);
    }

    [Fact]
    public async Task Appended_content_is_found_the_same_from_the_raw_bytes()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        var signed = TestMessages.Concat(await SignWithLengthAsync(raw, "relaxed"), raw);
        var appended = Append(signed, "More text.\r\n");
        var verifier = new DkimVerifierService(zone.Resolver(), DkimVerifyOptions.Default, _time);

        var fromRaw = Assert.Single(await verifier.VerifyAsync(appended, _ => Task.FromResult(TestMessages.Parse(appended)), CancellationToken.None));

        Assert.Equal((DkimResult.Policy, "l=31 leaves 16 octets of the body unsigned"), (fromRaw.Result, fromRaw.Reason));
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
