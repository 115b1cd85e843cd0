using System.Security.Cryptography;
using Gateway.Authentication.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Dkim;

public sealed class DkimKeyGeneratorTests
{
    [Fact]
    public void Rsa_key_and_record_have_the_rfc_6376_form()
    {
        var key = TestKeys.Rsa;

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", key.PrivateKeyPem, StringComparison.Ordinal);
        Assert.StartsWith("v=DKIM1; k=rsa; p=", key.DnsTxtRecord, StringComparison.Ordinal);
        Assert.True(DkimKeyRecord.TryParse(key.DnsTxtRecord, out var record, out _));
        Assert.Equal((DkimKeyType.Rsa, 2048), (record!.KeyType, record.KeyBits));
        using var signing = DkimSigningKey.FromPem("Example.COM", "s1", key.PrivateKeyPem);
        Assert.Equal((DkimSigningAlgorithm.RsaSha256, "example.com", 2048), (signing.Algorithm, signing.Domain, signing.KeyBits));
    }

    [Fact]
    public void Ed25519_record_holds_the_raw_32_byte_key()
    {
        var key = TestKeys.Ed25519;

        Assert.StartsWith("v=DKIM1; k=ed25519; p=", key.DnsTxtRecord, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(key.DnsTxtRecord["v=DKIM1; k=ed25519; p=".Length..]).Length);
        using var signing = DkimSigningKey.FromPem("example.com", "s1", key.PrivateKeyPem);
        Assert.Equal(DkimSigningAlgorithm.Ed25519Sha256, signing.Algorithm);
    }

    [Fact]
    public async Task Pkcs1_rsa_pem_is_accepted_and_signs()
    {
        var pkcs1 = TestKeys.Pkcs1Pem(TestKeys.Rsa.PrivateKeyPem);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", pkcs1, StringComparison.Ordinal);
        using var key = DkimSigningKey.FromPem("example.com", "rsa1", pkcs1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var raw = TestMessages.Bytes(TestMessages.Plain);
        var dns = new InMemoryDnsResolver().AddTxt("rsa1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord);

        var signed = TestMessages.Concat(new DkimSigningService(time).Sign(raw, [key]), raw);

        var result = Assert.Single(await new DkimVerifierService(dns, DkimVerifyOptions.Default, time).VerifyAsync(TestMessages.Parse(signed), CancellationToken.None));
        Assert.Equal(DkimResult.Pass, result.Result);
    }

    [Fact]
    public void Weak_unknown_or_broken_keys_are_refused()
    {
        using var weak = RSA.Create(512);
        Assert.Throws<FormatException>(() => DkimSigningKey.FromPem("example.com", "s", weak.ExportPkcs8PrivateKeyPem()));
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<FormatException>(() => DkimSigningKey.FromPem("example.com", "s", ec.ExportPkcs8PrivateKeyPem()));
        Assert.Throws<FormatException>(() => DkimSigningKey.FromPem("example.com", "s", "not a pem"));
        Assert.Throws<FormatException>(() => DkimSigningKey.FromPem("example.com", "s", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        Assert.Throws<ArgumentException>(() => DkimSigningKey.FromPem("exa mple.com", "s", TestKeys.Ed25519.PrivateKeyPem));
        Assert.Throws<ArgumentOutOfRangeException>(() => DkimKeyGenerator.GenerateRsa(768));
    }

    [Fact]
    public void Long_records_split_into_255_octet_strings()
    {
        var value = new string('a', 300) + "\"\\";

        var zone = DkimKeyGenerator.FormatTxtForZone(value);

        Assert.Equal("\"" + new string('a', 255) + "\" \"" + new string('a', 45) + "\\\"\\\\\"", zone);
        Assert.StartsWith("\"v=DKIM1; k=rsa; p=", TestKeys.Rsa.ToZoneFileText(), StringComparison.Ordinal);
    }
}
