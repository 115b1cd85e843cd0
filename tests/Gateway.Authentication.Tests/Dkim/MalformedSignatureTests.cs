using Gateway.Authentication.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>Broken DKIM-Signature fields: each gets a permerror or neutral result, never an exception.</summary>
public sealed class MalformedSignatureTests
{
    private const string Good = "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=ed1; t=1700000000; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdHNpZ25hdHVyZQ==";

    public static TheoryData<string, DkimResult> Corpus => new()
    {
        { "garbage", DkimResult.PermError },
        { ";;;", DkimResult.PermError },
        { "", DkimResult.PermError },
        { "=", DkimResult.PermError },
        { "v=1; a=ed25519-sha256; d=example.com; s=ed1; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", DkimResult.PermError },
        { Good.Replace("b=dGVzdHNpZ25hdHVyZQ==", "b=", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("b=dGVzdHNpZ25hdHVyZQ==", "b=!!!*not base64*", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("bh=47DEQ", "bh=@@DEQ", StringComparison.Ordinal), DkimResult.PermError },
        { Good + "; d=example.org", DkimResult.PermError },
        { Good + "; 1x=oops", DkimResult.PermError },
        { Good + ";; x=1", DkimResult.PermError },
        { Good.Replace("v=1", "v=2", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("v=1; ", string.Empty, StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("d=example.com", "d=exa mple..com", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("s=ed1", "s=", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("h=from:to:subject", "h=to:subject", StringComparison.Ordinal), DkimResult.PermError },
        { Good.Replace("h=from:to:subject", "h=from::subject", StringComparison.Ordinal), DkimResult.PermError },
        { Good + "; i=alice@example.org", DkimResult.PermError },
        { Good + "; i=alice@badexample.com", DkimResult.PermError },
        { Good + "; i=no-at-sign", DkimResult.PermError },
        { Good + "; x=1600000000", DkimResult.PermError },
        { Good.Replace("t=1700000000", "t=17000000000000000", StringComparison.Ordinal), DkimResult.PermError },
        { Good + "; l=-5", DkimResult.PermError },
        { Good + "; l=99999999999999999999999", DkimResult.PermError },
        { Good + "; z=\u0001", DkimResult.PermError },
        { Good.Replace("a=ed25519-sha256", "a=rsa-sha512", StringComparison.Ordinal), DkimResult.Neutral },
        { Good.Replace("a=ed25519-sha256", "a=", StringComparison.Ordinal), DkimResult.Neutral },
        { Good.Replace("c=relaxed/relaxed", "c=fancy/relaxed", StringComparison.Ordinal), DkimResult.Neutral },
        { Good + "; q=dns/other", DkimResult.Neutral },
        { "v=1; a=ed25519-sha256; d=example.com; s=ed1; h=" + string.Join(':', Enumerable.Repeat("from", 500)) + "; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==", DkimResult.PermError },
        { string.Join("; ", Enumerable.Range(0, 100).Select(i => "t" + i + "=x")), DkimResult.PermError },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Broken_signatures_get_a_result_not_an_exception(string value, DkimResult expected)
    {
        var raw = TestMessages.Bytes("DKIM-Signature: " + value + "\r\n" + TestMessages.Plain);
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        var verifier = new DkimVerifierService(dns, DkimVerifyOptions.Default, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));

        var result = Assert.Single(await verifier.VerifyAsync(TestMessages.Parse(raw), CancellationToken.None));

        Assert.Equal(expected, result.Result);
        Assert.NotNull(result.Reason);
        Assert.Equal(0, dns.QueryCount("ed1._domainkey.example.com"));
    }

    [Fact]
    public async Task Well_formed_signature_with_wrong_bytes_fails_after_the_key_lookup()
    {
        var raw = TestMessages.Bytes("DKIM-Signature: " + Good + "\r\n" + TestMessages.Plain);
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        var verifier = new DkimVerifierService(dns, DkimVerifyOptions.Default, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));

        var result = Assert.Single(await verifier.VerifyAsync(TestMessages.Parse(raw), CancellationToken.None));

        Assert.Equal(DkimResult.Fail, result.Result);
        Assert.Equal(1, dns.QueryCount("ed1._domainkey.example.com"));
    }

    [Fact]
    public async Task Folded_and_spaced_tags_parse_like_the_plain_form()
    {
        var folded = Good.Replace("; ", " ;\r\n\t ", StringComparison.Ordinal).Replace("=", " = ", StringComparison.Ordinal);
        var raw = TestMessages.Bytes("DKIM-Signature: " + folded + "\r\n" + TestMessages.Plain);
        var dns = new InMemoryDnsResolver().AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);
        var verifier = new DkimVerifierService(dns, DkimVerifyOptions.Default, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));

        var result = Assert.Single(await verifier.VerifyAsync(TestMessages.Parse(raw), CancellationToken.None));

        // Our parser reads it (one DNS query), and the bogus signature then fails cryptographically.
        Assert.Equal((DkimResult.Fail, "example.com", "ed1"), (result.Result, result.Domain, result.Selector));
    }
}
