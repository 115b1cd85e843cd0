using Gateway.Abstractions;

namespace Gateway.Policy.Tests;

public sealed class RecipientsPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domains (line 5); "recipients:" is line 6, its body from line 7.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test, other.test]\nrecipients:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_listed_domain_knows_its_addresses_and_postmaster_and_an_unlisted_domain_is_not_verified()
    {
        var list = _files.Write("example.txt", "# staff\nalice@example.test\n  Bob@Example.TEST   # sales\n\n");
        var policy = _files.Valid(Base + $"  example.test:\n    file: {list}\n");

        var recipients = policy.Recipients;
        Assert.True(recipients.IsKnown(new Mailbox("alice", "example.test")));
        Assert.True(recipients.IsKnown(new Mailbox("BOB", "example.test")));
        Assert.True(recipients.IsKnown(new Mailbox("PostMaster", "example.test")));
        Assert.False(recipients.IsKnown(new Mailbox("mallory", "example.test")));
        Assert.Null(recipients.IsKnown(new Mailbox("anyone", "other.test")));
        Assert.Contains(list, policy.SourceFiles);
    }

    [Fact]
    public void Without_the_section_nothing_is_verified() =>
        Assert.Null(_files.Valid(PolicyFiles.Minimal + "domains: [example.test]\n").Recipients.IsKnown(new Mailbox("x", "example.test")));

    [Fact]
    public void A_bad_line_in_the_list_is_reported_at_its_own_file_line_and_column()
    {
        var list = _files.Write("example.txt", "alice@example.test\n   carol@other.test\nnot-an-address\n");

        var result = _files.Load(Base + $"  example.test:\n    file: {list}\n");

        Assert.False(result.Success);
        Assert.Collection(
            result.Errors,
            e => Assert.Equal((list, 2, 4, true), (e.File, e.Line, e.Column, e.Message.Contains("is not in example.test", StringComparison.Ordinal))),
            e => Assert.Equal((list, 3, 1, true), (e.File, e.Line, e.Column, e.Message.Contains("is not an address", StringComparison.Ordinal))));
    }

    [Fact]
    public void A_domain_that_is_not_ours_is_refused() =>
        _files.AssertError(Base + $"  elsewhere.test:\n    file: {_files.Write("x.txt", "")}\n", 8, 5, "not one of our domains");

    [Fact]
    public void A_missing_list_file_is_named_at_its_position() =>
        _files.AssertError(Base + "  example.test:\n    file: /nonexistent/list.txt\n", 8, 11, "does not exist");
}
