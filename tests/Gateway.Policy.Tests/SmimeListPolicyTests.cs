namespace Gateway.Policy.Tests;

public sealed class SmimeListPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domain (line 5); "smime:" is line 6, "lists:" line 7, the first list line 8.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test]\nsmime:\n  lists:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Without_lists_no_address_is_a_list()
    {
        var policy = _files.Valid(PolicyFiles.Minimal + "domains: [example.test]\nsmime:\n  decrypt: true\n");

        Assert.Empty(policy.Smime.Lists);
        Assert.Null(policy.Smime.ListFor("board@example.test"));
    }

    [Fact]
    public void A_list_and_its_members_are_read_in_order_and_found_without_regard_to_case()
    {
        var policy = _files.Valid(Base + "    Board@Example.TEST:\n      members: [alice@example.test, bob@partner.test]\n");

        var list = policy.Smime.ListFor("board@example.test");
        Assert.NotNull(list);
        Assert.Equal("Board@example.test", list.Address.ToString());
        Assert.Equal(["alice@example.test", "bob@partner.test"], list.Members.Select(m => m.ToString()));
        Assert.Same(list, policy.Smime.ListFor("BOARD@example.test"));
    }

    [Fact]
    public void A_list_outside_our_domains_is_refused_at_its_key() =>
        _files.AssertError(Base + "    board@elsewhere.test:\n      members: [alice@example.test]\n", 8, 5, "is not one of our domains");

    [Fact]
    public void A_member_that_is_not_an_address_is_named_at_its_position() =>
        _files.AssertError(Base + "    board@example.test:\n      members: [alice@example.test, \"Bob <bob@x.test>\"]\n", 9, 37, "smime.lists.board@example.test.members[1]");

    [Fact]
    public void A_list_address_that_is_not_an_address_is_named() =>
        _files.AssertError(Base + "    board:\n      members: [alice@example.test]\n", 8, 5, "is not an address");

    [Fact]
    public void A_list_without_members_is_refused() =>
        _files.AssertError(Base + "    board@example.test:\n      members: []\n", 9, 16, "at least one member");

    [Fact]
    public void A_list_without_the_members_key_is_refused() =>
        _files.AssertError(Base + "    board@example.test: {}\n", 8, 25, "members is required");

    [Fact]
    public void A_member_listed_twice_is_named() =>
        _files.AssertError(Base + "    board@example.test:\n      members: [alice@example.test, ALICE@example.test]\n", 9, 37, "listed twice");

    [Fact]
    public void A_list_listed_twice_is_named() =>
        _files.AssertError(
            Base + "    board@example.test:\n      members: [a@example.test]\n    BOARD@example.test:\n      members: [b@example.test]\n", 10, 5, "listed twice");

    [Fact]
    public void A_list_in_its_own_members_is_refused_so_expansion_cannot_loop() =>
        _files.AssertError(Base + "    board@example.test:\n      members: [a@example.test, board@example.test]\n", 9, 33, "lists do not nest");

    [Fact]
    public void Two_lists_naming_each_other_are_refused() =>
        _files.AssertError(
            Base + "    board@example.test:\n      members: [staff@example.test]\n    staff@example.test:\n      members: [a@example.test]\n", 9, 17, "is itself an encrypted list");
}
