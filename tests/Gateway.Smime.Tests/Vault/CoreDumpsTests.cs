using Gateway.Smime.Vault;

namespace Gateway.Smime.Tests.Vault;

public sealed class CoreDumpsTests
{
    [Fact]
    public void A_process_that_disabled_core_dumps_is_not_dumpable()
    {
        // The gateway runs on Linux only. This test is the only one that touches the test host's dumpable flag, so it starts dumpable.
        Assert.False(CoreDumps.Disabled);
        Assert.True(CoreDumps.Disable());
        Assert.True(CoreDumps.Disabled);
    }
}
