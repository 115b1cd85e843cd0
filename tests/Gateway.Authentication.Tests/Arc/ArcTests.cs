using Gateway.Abstractions;
using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Tests.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Arc;

public sealed class ArcTests(KnotKeyZone zone) : IClassFixture<KnotKeyZone>, IDisposable
{
    private const string Results = "spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PythonDkim _python = new();

    public void Dispose() => _python.Dispose();

    private static InMemoryDnsResolver Zone() => new InMemoryDnsResolver()
        .AddTxt("rsa1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord)
        .AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);

    private static Task<ArcChainResult> VerifyAsync(IDnsResolver dns, byte[] raw) =>
        new ArcVerifierService(dns, DkimVerifyOptions.Default).VerifyAsync(TestMessages.Parse(raw), CancellationToken.None);

    private byte[] Seal(byte[] raw, ArcChainResult incoming, DkimSigningKey key, string authServId = "mx.example.com")
    {
        var sealed_ = new ArcSealingService(_time).Seal(raw, incoming, authServId, Results, key);
        Assert.True(sealed_.Sealed, sealed_.Reason);
        return TestMessages.Concat(sealed_.Headers!, raw);
    }

    [Theory]
    [InlineData("ARC-Seal: i=1; a=rsa-sha256\r\n", true)]
    [InlineData("From: a@example.com\r\narc-message-signature: i=1\r\n", true)]
    [InlineData("From: a@example.com\r\nARC-Authentication-Results \t: i=1; x\r\n", true)]
    [InlineData("From: a@example.com\r\nX-ARC-Seal: i=1\r\n", false)]
    [InlineData("Subject: folded\r\n ARC-Seal: i=1\r\n", false)]
    [InlineData("ARC-Sealed: i=1\r\nARC-Filter: yes\r\n", false)]
    [InlineData("", false)]
    public void Arc_fields_are_found_by_name_at_the_start_of_a_field(string headerSection, bool expected)
    {
        // Without one of the three ARC fields the chain is "none" and the message need not be parsed to say so.
        Assert.Equal(expected, ArcVerifierService.HasArcFields(System.Text.Encoding.ASCII.GetBytes(headerSection + "\r\nbody\r\n")));
    }

    [Fact]
    public async Task Unsealed_message_has_no_chain()
    {
        var result = await VerifyAsync(Zone(), TestMessages.Bytes(TestMessages.Plain));

        Assert.Equal((ArcResult.None, 0), (result.Result, result.Instances));
        Assert.Empty(result.Hops);
    }

    [Fact]
    public async Task First_seal_passes_here_and_with_python_dkim()
    {
        using var rsa = TestKeys.RsaSigningKey();

        var sealedRaw = Seal(TestMessages.Bytes(TestMessages.Multipart), ArcChainResult.NoChain, rsa);

        var ours = await VerifyAsync(Zone(), sealedRaw);
        Assert.Equal((ArcResult.Pass, 1), (ours.Result, ours.Instances));
        var hop = Assert.Single(ours.Hops);
        Assert.Equal((1, "example.com", "rsa1", "none"), (hop.Instance, hop.Domain, hop.Selector, hop.ChainValidation));
        Assert.Equal("mx.example.com", ours.LatestClaims!.AuthServId);
        var dmarc = Assert.Single(ours.LatestClaims.Results, c => c.Method == "dmarc");
        Assert.Equal(("pass", "example.com"), (dmarc.Result, dmarc.Property("header.from")));
        Assert.Equal("pass", await _python.ArcVerifyAsync(zone.Knot.EndPoint, sealedRaw));
    }

    [Fact]
    public async Task Second_seal_over_a_passing_chain_passes_with_cv_pass()
    {
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var first = Seal(TestMessages.Bytes(TestMessages.Plain), ArcChainResult.NoChain, rsa);
        var incoming = await VerifyAsync(Zone(), first);

        var second = Seal(first, incoming, ed, "relay.example.com");

        var ours = await VerifyAsync(Zone(), second);
        Assert.Equal((ArcResult.Pass, 2), (ours.Result, ours.Instances));
        Assert.Equal(["none", "pass"], ours.Hops.Select(h => h.ChainValidation));
        Assert.Equal(("relay.example.com", 2), (ours.LatestClaims!.AuthServId, ours.LatestClaims.Instance));
        Assert.Equal("ed1", ours.LatestHop!.Selector);
    }

    [Fact]
    public async Task Rsa_chain_of_two_passes_with_python_dkim()
    {
        using var rsa = TestKeys.RsaSigningKey();
        var first = Seal(TestMessages.Bytes(TestMessages.Plain), ArcChainResult.NoChain, rsa);
        var second = Seal(first, await VerifyAsync(zone.Resolver(), first), rsa, "relay.example.com");

        Assert.Equal("pass", await _python.ArcVerifyAsync(zone.Knot.EndPoint, second));
    }

    [Fact]
    public async Task Chain_sealed_by_python_dkim_passes_here()
    {
        var raw = TestMessages.Bytes("Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com\r\n" + TestMessages.Plain);

        var set = await _python.ArcSignAsync("rsa1", "example.com", TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem), "mx.example.org", raw);
        var sealedRaw = TestMessages.Concat(set, raw);

        var ours = await VerifyAsync(zone.Resolver(), sealedRaw);
        Assert.Equal((ArcResult.Pass, 1), (ours.Result, ours.Instances));
        Assert.Equal("mx.example.org", ours.LatestClaims!.AuthServId);
        Assert.Equal("pass", Assert.Single(ours.LatestClaims.Results, c => c.Method == "spf").Result);
    }

    [Fact]
    public async Task Content_appended_past_the_ams_body_length_fails_here_though_python_dkim_passes_it()
    {
        // The AMS l= covers the body as sealed; anything appended later is unsigned. python3-dkim honours l= and
        // passes the chain with a whole new message appended, which is the attack; ours fails it, as it does a
        // DKIM signature's (authentication.dkim.allow_unsigned_content restores the pass).
        var raw = TestMessages.Bytes("Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com\r\n" + TestMessages.Plain);
        var set = await _python.ArcSignAsync("rsa1", "example.com", TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem), "mx.example.org", raw, bodyLength: true);
        Assert.Contains("l=", set, StringComparison.Ordinal);
        var sealedRaw = TestMessages.Concat(set, raw);
        var appended = sealedRaw.Concat("\r\nPlease pay the new account: 12345\r\n"u8.ToArray()).ToArray();

        var whole = await VerifyAsync(zone.Resolver(), sealedRaw);
        var ours = await VerifyAsync(zone.Resolver(), appended);
        var allowed = await new ArcVerifierService(zone.Resolver(), DkimVerifyOptions.Default with { AllowUnsignedContent = true })
            .VerifyAsync(TestMessages.Parse(appended), CancellationToken.None);

        Assert.Equal(ArcResult.Pass, whole.Result);
        Assert.Equal("pass", await _python.ArcVerifyAsync(zone.Knot.EndPoint, appended));
        Assert.Equal(ArcResult.Fail, ours.Result);
        Assert.Matches("^ARC-Message-Signature l=[0-9]+ leaves [0-9]+ octets of the body unsigned$", ours.Reason);
        Assert.Null(ours.LatestClaims);
        Assert.Equal(ArcResult.Pass, allowed.Result);
    }

    [Fact]
    public async Task Body_changed_after_sealing_fails_here_and_with_python_dkim()
    {
        using var rsa = TestKeys.RsaSigningKey();
        var sealedRaw = Seal(TestMessages.Bytes(TestMessages.Plain), ArcChainResult.NoChain, rsa);

        var tampered = TestMessages.Replace(sealedRaw, "this is   a test.", "this is   a toast.");

        var ours = await VerifyAsync(zone.Resolver(), tampered);
        Assert.Equal((ArcResult.Fail, "ARC-Message-Signature did not verify"), (ours.Result, ours.Reason));
        Assert.Null(ours.LatestClaims);
        Assert.Equal("fail", await _python.ArcVerifyAsync(zone.Knot.EndPoint, tampered));
    }

    [Fact]
    public async Task Failed_chain_is_sealed_with_cv_fail_once_and_then_left_alone()
    {
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var first = Seal(TestMessages.Bytes(TestMessages.Plain), ArcChainResult.NoChain, rsa);
        var tampered = TestMessages.Replace(first, "this is   a test.", "this is   a toast.");
        var incoming = await VerifyAsync(Zone(), tampered);
        Assert.Equal(ArcResult.Fail, incoming.Result);

        var result = new ArcSealingService(_time).Seal(tampered, incoming, "mx.example.com", Results, ed);

        Assert.Equal((true, 2, ArcResult.Fail), (result.Sealed, result.Instance, result.ChainValidation));
        Assert.Contains("i=2; a=ed25519-sha256; cv=fail;", result.Headers, StringComparison.Ordinal);
        var twice = TestMessages.Concat(result.Headers!, tampered);
        var after = await VerifyAsync(Zone(), twice);
        Assert.Equal((ArcResult.Fail, "chain already failed (cv=fail)"), (after.Result, after.Reason));
        Assert.Equal("fail", await _python.ArcVerifyAsync(zone.Knot.EndPoint, twice));

        var third = new ArcSealingService(_time).Seal(twice, after, "mx.example.com", Results, ed);
        Assert.False(third.Sealed);
        Assert.Equal("the chain already ended with cv=fail", third.Reason);
    }

    [Fact]
    public async Task Sealing_with_a_wrong_incoming_verdict_still_reports_fail_for_a_broken_chain()
    {
        using var ed = TestKeys.EdSigningKey();
        var raw = TestMessages.Bytes("ARC-Seal: i=1; a=ed25519-sha256; cv=none; d=example.com; s=ed1; b=AAAA\r\n" + TestMessages.Plain);

        // The caller claims pass, but the existing set is incomplete: the seal must not vouch for it.
        var result = new ArcSealingService(_time).Seal(raw, new ArcChainResult(ArcResult.Pass, 1, null, []), "mx.example.com", Results, ed);

        Assert.Equal((2, ArcResult.Fail), (result.Instance, result.ChainValidation));
        Assert.Equal(ArcResult.Fail, (await VerifyAsync(Zone(), TestMessages.Concat(result.Headers!, raw))).Result);
    }

    public static TheoryData<string> BrokenChains => new()
    {
        "ARC-Seal: garbage\r\n",
        "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com; s=rsa1; b=AAAA\r\n",
        "ARC-Seal: i=51; a=rsa-sha256; cv=none; d=example.com; s=rsa1; b=AAAA\r\n",
        "ARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\nARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\n",
        "ARC-Message-Signature: i=x; a=rsa-sha256; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n",
        "ARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\n" +
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n" +
        "ARC-Seal: i=1; a=rsa-sha256; cv=pass; d=example.com; s=rsa1; b=AAAA\r\n",
        "ARC-Authentication-Results: i=1; mx.example.com; spf=pass\r\n" +
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa1; h=from; bh=AAAA; b=AAAA\r\n" +
        "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com; s=rsa1; h=from; b=AAAA\r\n",
    };

    [Theory]
    [MemberData(nameof(BrokenChains))]
    public async Task Broken_chains_fail_without_an_exception(string headers)
    {
        var result = await VerifyAsync(Zone(), TestMessages.Bytes(headers + TestMessages.Plain));

        Assert.Equal(ArcResult.Fail, result.Result);
        Assert.NotNull(result.Reason);
        Assert.False(result.IsTemporary);
    }

    [Fact]
    public async Task Dns_failure_is_a_temporary_fail()
    {
        using var rsa = TestKeys.RsaSigningKey();
        var sealedRaw = Seal(TestMessages.Bytes(TestMessages.Plain), ArcChainResult.NoChain, rsa);
        var dns = Zone().SetStatus("rsa1._domainkey.example.com", DnsStatus.ServerFailure);

        var result = await VerifyAsync(dns, sealedRaw);

        Assert.Equal(ArcResult.Fail, result.Result);
        Assert.True(result.IsTemporary);
        Assert.Contains("server failure", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_injection_in_the_results_is_refused()
    {
        using var ed = TestKeys.EdSigningKey();
        var service = new ArcSealingService(_time);
        var raw = TestMessages.Bytes(TestMessages.Plain);

        Assert.Throws<ArgumentException>(() => service.Seal(raw, ArcChainResult.NoChain, "mx.example.com", "spf=pass\r\nBcc: x@evil.example", ed));
        Assert.Throws<ArgumentException>(() => service.Seal(raw, ArcChainResult.NoChain, "mx example.com", Results, ed));
    }

    [Fact]
    public async Task Sealing_the_parsed_message_gives_a_passing_chain()
    {
        using var ed = TestKeys.EdSigningKey();
        var raw = TestMessages.Bytes(TestMessages.Multipart);

        var result = new ArcSealingService(_time).Seal(TestMessages.Parse(raw), ArcChainResult.NoChain, "mx.example.com", string.Empty, ed);

        Assert.Contains("i=1; mx.example.com; none", result.Headers, StringComparison.Ordinal);
        Assert.Equal(ArcResult.Pass, (await VerifyAsync(Zone(), TestMessages.Concat(result.Headers!, raw))).Result);
    }

    [Fact]
    public async Task Sealing_from_the_header_section_and_a_body_stream_matches_sealing_the_whole_message()
    {
        var raw = TestMessages.Bytes(TestMessages.Multipart);
        using var rsa = TestKeys.RsaSigningKey();
        var sealer = new ArcSealingService(_time);
        var split = raw.AsSpan().IndexOf("\r\n\r\n"u8) + 4;

        var streamed = await sealer.SealAsync(raw.AsMemory(0, split), new MemoryStream(raw, split, raw.Length - split), ArcChainResult.NoChain, "mx.example.com", Results, rsa, CancellationToken.None);

        Assert.Equal(sealer.Seal(raw, ArcChainResult.NoChain, "mx.example.com", Results, rsa).Headers, streamed.Headers);
        Assert.Equal(ArcResult.Pass, (await VerifyAsync(Zone(), TestMessages.Concat(streamed.Headers!, raw))).Result);
    }
}
