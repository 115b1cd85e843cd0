using Gateway.Authentication.Dkim;
using Gateway.Dns;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>
/// A key record is chosen by whoever signs: one larger than the RSA bound is refused before a key is built (its
/// modulus check would cost seconds), and a record that does not parse is not parsed again for the next message.
/// </summary>
public sealed class KeySizeBoundTests
{
    [Fact]
    public async Task A_key_above_the_rsa_bound_is_refused_before_it_is_built()
    {
        var oversized = Convert.ToBase64String(new byte[(16384 / 8) + 100]);
        var dns = new InMemoryDnsResolver().AddTxt("big._domainkey.example.com", "v=DKIM1; k=rsa; p=" + oversized);
        var locator = new DnsDkimPublicKeyLocator(dns);

        var first = await locator.LookupAsync("example.com", "big", CancellationToken.None);
        var second = await locator.LookupAsync("example.com", "big", CancellationToken.None);

        Assert.Null(first.Key);
        Assert.Equal(DkimResult.PermError, first.Failure);
        Assert.Equal("key too large (more than 8192 bits)", first.Reason);
        Assert.Equal(first.Reason, second.Reason);
    }
}
