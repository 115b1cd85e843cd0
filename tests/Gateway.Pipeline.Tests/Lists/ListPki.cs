using Gateway.Smime.Tests.Cms;

namespace Gateway.Pipeline.Tests.Lists;

/// <summary>The list's key and two members' identities, made once per test class (RSA key generation is slow).</summary>
public sealed class ListPki
{
    public ListPki()
    {
        var ca = TestPki.CreateCa();
        Board = TestPki.Issue(ca, "board@example.test");
        Alice = TestPki.Issue(ca, "alice@example.test");
        Bob = TestPki.Issue(ca, "bob@partner.test");
    }

    public TestIdentity Board { get; }

    public TestIdentity Alice { get; }

    public TestIdentity Bob { get; }
}
