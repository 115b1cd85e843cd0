namespace Gateway.Transport.Tests;

public sealed class TlsLevelTests
{
    [Fact]
    public void Levels_are_ordered_from_none_to_the_published_policies()
    {
        Assert.True(TlsLevel.None < TlsLevel.May);
        Assert.True(TlsLevel.May < TlsLevel.Encrypt);
        Assert.True(TlsLevel.Encrypt < TlsLevel.Verify);
    }
}
