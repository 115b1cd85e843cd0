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

    [Fact]
    public void An_ldap_domain_takes_the_same_keys_as_the_smime_directory()
    {
        var password = _files.Write("ldap.secret", "s3cret\n");
        var policy = _files.Valid(Base +
            "  example.test:\n    ldap:\n      servers: [\"ldap://127.0.0.1:3890\"]\n      base_dn: \"dc=example,dc=test\"\n" +
            $"      bind_dn: \"cn=gateway,dc=example,dc=test\"\n      bind_password_file: {password}\n" +
            "      filter: \"(|(mail={0})(mailAlternateAddress={0}))\"\n      timeout: 2s\n      cache_found: 30m\n      cache_not_found: 1m\n" +
            "    max_message_size: 10MB\n");

        var domain = policy.Recipients.For(new Mailbox("alice", "example.test"))!;
        var ldap = domain.Ldap!;
        Assert.Equal("ldap://127.0.0.1:3890/", Assert.Single(ldap.Servers).ToString());
        Assert.Equal("dc=example,dc=test", ldap.BaseDn);
        Assert.Equal(password, ldap.BindPasswordFile);
        Assert.Equal("(|(mail={0})(mailAlternateAddress={0}))", ldap.Filter);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1)), (ldap.Timeout, ldap.CacheFound, ldap.CacheNotFound));
        Assert.Equal(10_000_000, domain.MaxMessageSize);
        Assert.True(domain.VerifiedRemotely);

        // Not a list: the list answer stays "not verified from a list".
        Assert.Null(policy.Recipients.IsKnown(new Mailbox("alice", "example.test")));
    }

    [Fact]
    public void Call_ahead_has_defaults_and_needs_a_route_to_the_internal_server()
    {
        const string Route = "delivery:\n  routes:\n    example.test:\n      - host: 127.0.0.1\n        port: 2526\n";
        var policy = _files.Valid(Route + Base + "  example.test:\n    call_ahead: {}\n");
        var callAhead = policy.Recipients.Domains["example.test"].CallAhead!;
        Assert.Equal(new CallAheadPolicy(), callAhead);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), 10), (callAhead.Timeout, callAhead.CacheFound, callAhead.CacheNotFound, callAhead.Concurrency));

        var tuned = _files.Valid(Route + Base + "  example.test:\n    call_ahead:\n      timeout: 3s\n      cache_found: 2h\n      cache_not_found: 0s\n      concurrency: 2\n");
        Assert.Equal(new CallAheadPolicy { Timeout = TimeSpan.FromSeconds(3), CacheFound = TimeSpan.FromHours(2), CacheNotFound = TimeSpan.Zero, Concurrency = 2 }, tuned.Recipients.Domains["example.test"].CallAhead);

        // The "*" route serves every domain of ours without a route of its own.
        _files.Valid("delivery:\n  routes:\n    \"*\":\n      - host: 127.0.0.1\n" + Base + "  other.test:\n    call_ahead: {}\n");
        _files.AssertError(Base + "  example.test:\n    call_ahead: {}\n", 8, 17, "no route for example.test");
    }

    [Fact]
    public void A_domain_names_one_source_and_a_size_no_larger_than_the_global_limit()
    {
        var list = _files.Write("example.txt", "alice@example.test\n");
        _files.AssertError(Base + $"  example.test:\n    file: {list}\n    ldap:\n      servers: [\"ldap://127.0.0.1\"]\n      base_dn: \"dc=x\"\n", 8, 5, "file and ldap are alternatives");
        _files.AssertError(Base + "  example.test: {}\n", 7, 17, "expected file, ldap or call_ahead");
        _files.AssertError(Base + "  example.test:\n    max_message_size: 100MiB\n", 8, 23, "out of range");
        var misspelt = _files.Load(Base + "  example.test:\n    ldap:\n      servers: [\"ldap://127.0.0.1\"]\n      base: \"dc=x\"\n");
        Assert.Contains((10, 7, "unknown key 'base' in recipients.example.test.ldap"), misspelt.Errors.Select(e => (e.Line, e.Column, e.Message)));

        var sizeOnly = _files.Valid(Base + "  example.test:\n    max_message_size: 1MiB\n").Recipients.Domains["example.test"];
        Assert.Equal((1024L * 1024, false), (sizeOnly.MaxMessageSize, sizeOnly.VerifiedRemotely));
    }
}
