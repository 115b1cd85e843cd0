using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Gateway.Authentication.Tests.Dkim;

public sealed class DkimVerifierServiceTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static byte[] PlainRaw => TestMessages.Bytes(TestMessages.Plain);

    private byte[] SignedByUs(params DkimSigningKey[] keys) =>
        TestMessages.Concat(new DkimSigningService(_time).Sign(PlainRaw, keys), PlainRaw);

    private Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(IDnsResolver dns, byte[] raw, DkimVerifyOptions? options = null) =>
        new DkimVerifierService(dns, options ?? DkimVerifyOptions.Default, _time).VerifyAsync(TestMessages.Parse(raw), CancellationToken.None);

    private static byte[] SignedByMimeKit(AsymmetricKeyParameter key, string selector, DkimSignatureAlgorithm algorithm, string? identity = null)
    {
        var message = TestMessages.Parse(PlainRaw);
        var signer = new DkimSigner(key, "example.com", selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            AgentOrUserIdentifier = identity,
        };
        signer.Sign(message, ["From", "To", "Subject"]);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(format, stream);
        return stream.ToArray();
    }

    [Fact]
    public async Task Unsigned_message_gives_no_results()
    {
        Assert.Empty(await VerifyAsync(new InMemoryDnsResolver(), PlainRaw));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(768)]
    public async Task Weak_rsa_keys_never_pass(int bits)
    {
        var pair = TestKeys.BouncyRsa(bits);
        var dns = new InMemoryDnsResolver().AddTxt("weak._domainkey.example.com", TestKeys.TxtFor(pair.Public));

        var result = Assert.Single(await VerifyAsync(dns, SignedByMimeKit(pair.Private, "weak", DkimSignatureAlgorithm.RsaSha256)));

        Assert.Equal(DkimResult.Policy, result.Result);
        Assert.Equal($"weak key ({bits} bits)", result.Reason);
    }

    [Fact]
    public async Task A_1024_bit_key_is_accepted_as_the_minimum()
    {
        var pair = TestKeys.BouncyRsa(1024);
        var dns = new InMemoryDnsResolver().AddTxt("k1024._domainkey.example.com", TestKeys.TxtFor(pair.Public));

        var result = Assert.Single(await VerifyAsync(dns, SignedByMimeKit(pair.Private, "k1024", DkimSignatureAlgorithm.RsaSha256)));

        Assert.Equal(DkimResult.Pass, result.Result);
    }

    [Fact]
    public async Task Rsa_sha1_is_policy_without_a_dns_query()
    {
        var pair = TestKeys.BouncyRsa(1024);
        var dns = new InMemoryDnsResolver().AddTxt("sha1._domainkey.example.com", TestKeys.TxtFor(pair.Public));

        var result = Assert.Single(await VerifyAsync(dns, SignedByMimeKit(pair.Private, "sha1", DkimSignatureAlgorithm.RsaSha1)));

        Assert.Equal((DkimResult.Policy, "rsa-sha1"), (result.Result, result.Algorithm));
        Assert.Equal(0, dns.QueryCount("sha1._domainkey.example.com"));
    }

    [Fact]
    public async Task Identity_in_a_subdomain_passes_and_is_reported()
    {
        var pair = TestKeys.BouncyRsa(1024);
        var dns = new InMemoryDnsResolver().AddTxt("sub._domainkey.example.com", TestKeys.TxtFor(pair.Public));

        var result = Assert.Single(await VerifyAsync(dns, SignedByMimeKit(pair.Private, "sub", DkimSignatureAlgorithm.RsaSha256, "alice@mail.example.com")));

        Assert.Equal((DkimResult.Pass, "alice@mail.example.com"), (result.Result, result.Identity));
    }

    [Fact]
    public async Task Strict_key_refuses_a_subdomain_identity()
    {
        var pair = TestKeys.BouncyRsa(1024);
        var dns = new InMemoryDnsResolver().AddTxt("sub._domainkey.example.com", TestKeys.TxtFor(pair.Public) + "; t=s");

        var result = Assert.Single(await VerifyAsync(dns, SignedByMimeKit(pair.Private, "sub", DkimSignatureAlgorithm.RsaSha256, "alice@mail.example.com")));

        Assert.Equal(DkimResult.PermError, result.Result);
    }

    [Fact]
    public async Task Revoked_key_is_permerror()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", "v=DKIM1; k=ed25519; p=");

        var result = Assert.Single(await VerifyAsync(dns, SignedByUs(ed)));

        Assert.Equal((DkimResult.PermError, "key revoked"), (result.Result, result.Reason));
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure, DkimResult.TempError)]
    [InlineData(DnsStatus.Timeout, DkimResult.TempError)]
    [InlineData(DnsStatus.NxDomain, DkimResult.PermError)]
    [InlineData(DnsStatus.NoData, DkimResult.PermError)]
    public async Task Dns_outcomes_map_to_temperror_or_permerror(DnsStatus status, DkimResult expected)
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().SetStatus("ed1._domainkey.example.com", status);

        var result = Assert.Single(await VerifyAsync(dns, SignedByUs(ed)));

        Assert.Equal(expected, result.Result);
        Assert.Equal("example.com", result.Domain);
        Assert.Equal("ed1", result.Selector);
    }

    [Fact]
    public async Task First_valid_record_among_several_is_used()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver()
            .AddTxt("ed1._domainkey.example.com", "google-site-verification=abc")
            .AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);

        Assert.Equal(DkimResult.Pass, Assert.Single(await VerifyAsync(dns, SignedByUs(ed))).Result);
    }

    [Theory]
    [InlineData("v=DKIM1; k=ed25519; p=!!!notbase64")]
    [InlineData("v=DKIM1; k=ed25519; p=AAAA")]
    [InlineData("k=ed25519; v=DKIM1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")]
    [InlineData("v=DKIM2; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")]
    [InlineData("v=DKIM1; k=dsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")]
    [InlineData("v=DKIM1; k=ed25519")]
    [InlineData("v=DKIM1; k=ed25519; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")]
    [InlineData("garbage without tags")]
    public async Task Malformed_key_records_are_permerror(string record)
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", record);

        Assert.Equal(DkimResult.PermError, Assert.Single(await VerifyAsync(dns, SignedByUs(ed))).Result);
    }

    [Fact]
    public async Task Oversized_txt_record_is_permerror()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", "v=DKIM1; k=ed25519; p=" + new string('A', 65536));

        Assert.Equal(DkimResult.PermError, Assert.Single(await VerifyAsync(dns, SignedByUs(ed))).Result);
    }

    [Theory]
    [InlineData("; h=sha1", "inappropriate hash algorithm")]
    [InlineData("; s=tlsrpt", "key not for e-mail (s=)")]
    public async Task Key_restrictions_are_honoured(string extra, string reason)
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord + extra);

        var result = Assert.Single(await VerifyAsync(dns, SignedByUs(ed)));

        Assert.Equal((DkimResult.PermError, reason), (result.Result, result.Reason));
    }

    [Fact]
    public async Task Key_type_must_match_the_algorithm()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord);

        var result = Assert.Single(await VerifyAsync(dns, SignedByUs(ed)));

        Assert.Equal((DkimResult.PermError, "inappropriate key algorithm"), (result.Result, result.Reason));
    }

    [Fact]
    public async Task Testing_flag_is_noted_on_a_pass()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord + "; t=y");

        var result = Assert.Single(await VerifyAsync(dns, SignedByUs(ed)));

        Assert.Equal((DkimResult.Pass, "testing key (t=y)"), (result.Result, result.Reason));
    }

    [Fact]
    public async Task Signatures_beyond_the_limit_are_policy()
    {
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver()
            .AddTxt("rsa1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord)
            .AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);

        var results = await VerifyAsync(dns, SignedByUs(rsa, ed), new DkimVerifyOptions { MaxSignatures = 1 });

        Assert.Equal([DkimResult.Pass, DkimResult.Policy], results.Select(r => r.Result));
        Assert.Equal("too many signatures", results[1].Reason);
        Assert.Equal(0, dns.QueryCount("ed1._domainkey.example.com"));
    }

    [Fact]
    public async Task Expired_and_future_signatures_are_policy()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        var signer = new DkimSigningService(_time, new DkimSigningOptions { Expiration = TimeSpan.FromHours(1) });
        var signed = TestMessages.Concat(signer.Sign(PlainRaw, [ed]), PlainRaw);
        var verifier = new DkimVerifierService(dns, DkimVerifyOptions.Default, _time);

        _time.Advance(TimeSpan.FromMinutes(64));
        Assert.Equal(DkimResult.Pass, Assert.Single(await verifier.VerifyAsync(TestMessages.Parse(signed), CancellationToken.None)).Result);

        _time.Advance(TimeSpan.FromMinutes(2));
        var expired = Assert.Single(await verifier.VerifyAsync(TestMessages.Parse(signed), CancellationToken.None));
        Assert.Equal((DkimResult.Policy, "signature expired"), (expired.Result, expired.Reason));

        var early = new DkimVerifierService(dns, DkimVerifyOptions.Default, new FakeTimeProvider(_time.GetUtcNow().AddDays(-1)));
        var future = Assert.Single(await early.VerifyAsync(TestMessages.Parse(signed), CancellationToken.None));
        Assert.Equal((DkimResult.Policy, "signature timestamp in the future"), (future.Result, future.Reason));
    }

    [Fact]
    public async Task Header_b_is_the_start_of_the_signature()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        var header = new DkimSigningService(_time).Sign(PlainRaw, [ed]);
        var b = header[(header.LastIndexOf("b=", StringComparison.Ordinal) + 2)..].Replace("\r\n\t", string.Empty, StringComparison.Ordinal).Trim();

        var result = Assert.Single(await VerifyAsync(dns, TestMessages.Concat(header, PlainRaw)));

        Assert.Equal(b[..12], result.HeaderB);
    }

    [Fact]
    public async Task Cancellation_escapes()
    {
        using var ed = TestKeys.EdSigningKey();
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new DkimVerifierService(dns, DkimVerifyOptions.Default, _time).VerifyAsync(TestMessages.Parse(SignedByUs(ed)), cts.Token));
    }
}
