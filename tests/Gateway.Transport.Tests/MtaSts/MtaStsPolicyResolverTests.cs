using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Testing;
using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>
/// Discovery and caching (RFC 8461 3, 5.1) on a fake clock, a fake fetcher and a real cache directory. The zone of
/// a test phase is fixed, so a changed TXT record is a new zone and a new resolver over the same cache.
/// </summary>
public sealed class MtaStsPolicyResolverTests : IDisposable
{
    private const string Domain = "example.org";
    private const string TxtName = "_mta-sts.example.org";
    private const string Enforce = "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 86400\n";
    private const string Testing = "version: STSv1\nmode: testing\nmx: *.example.org\nmax_age: 604800\n";

    private readonly string _directory = TestDirectories.CreateTemp("mta-sts-resolver");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePolicyFetcher _fetcher = new();
    private readonly List<MtaStsPolicyResolver> _resolvers = [];
    private MtaStsPolicyStore? _store;

    public void Dispose()
    {
        foreach (var resolver in _resolvers)
        {
            resolver.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task No_record_and_nothing_cached_is_no_policy_without_a_fetch()
    {
        var lookup = await (await Resolver(new InMemoryDnsResolver())).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsLookup.NoPolicy, lookup);
        Assert.Equal(0, _fetcher.Calls);
    }

    [Fact]
    public async Task A_record_without_a_cached_policy_fetches_and_caches_it()
    {
        _fetcher.Serve(Domain, Enforce);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));

        var lookup = await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal("one", lookup.PolicyId);
        Assert.Null(lookup.FailureResultType);
        var cached = _store!.Get(Domain);
        Assert.NotNull(cached);
        Assert.Equal(_time.GetUtcNow(), cached.FetchedAt);
        Assert.Equal(_time.GetUtcNow().AddDays(1), cached.ExpiresAt);
        Assert.True(File.Exists(Path.Combine(_directory, "example.org.json")));
    }

    [Fact]
    public async Task The_same_id_uses_the_cached_policy_without_a_fetch()
    {
        _fetcher.Serve(Domain, Enforce);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        await resolver.GetPolicyAsync(Domain, CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(20));

        var lookup = await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task A_changed_id_fetches_the_new_policy()
    {
        _fetcher.Serve(Domain, Enforce);
        await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);
        _fetcher.Serve(Domain, Testing);

        var lookup = await (await Resolver(Zone("v=STSv1; id=two"))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(2, _fetcher.Calls);
        Assert.Equal(MtaStsMode.Testing, lookup.Policy?.Mode);
        Assert.Equal("two", lookup.PolicyId);
        Assert.Equal("two", _store!.Get(Domain)?.PolicyId);
        Assert.Equal(_time.GetUtcNow().AddDays(7), _store.Get(Domain)?.ExpiresAt);
    }

    [Fact]
    public async Task A_failed_fetch_under_a_new_id_keeps_the_unexpired_cached_policy_and_reports_the_failure()
    {
        _fetcher.Serve(Domain, Enforce);
        await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);
        _fetcher.Fail(Domain, MtaStsFailureTypes.WebPkiInvalid, "the certificate does not name the policy host");

        var lookup = await (await Resolver(Zone("v=STSv1; id=two"))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal("one", lookup.PolicyId);
        Assert.Equal(MtaStsFailureTypes.WebPkiInvalid, lookup.FailureResultType);
        Assert.Equal("one", _store!.Get(Domain)?.PolicyId);
    }

    [Fact]
    public async Task An_expired_cached_policy_and_a_failed_fetch_is_no_policy_with_the_failure()
    {
        _fetcher.Serve(Domain, Enforce);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        await resolver.GetPolicyAsync(Domain, CancellationToken.None);
        _fetcher.Fail(Domain);
        _time.Advance(TimeSpan.FromDays(1));

        var lookup = await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Null(lookup.Policy);
        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, lookup.FailureResultType);
        Assert.Equal("connection refused", lookup.FailureDetail);
        Assert.Equal(2, _fetcher.Calls);
    }

    [Fact]
    public async Task An_expired_cached_policy_is_fetched_again_under_the_same_id()
    {
        _fetcher.Serve(Domain, Enforce);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        await resolver.GetPolicyAsync(Domain, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(2));

        var lookup = await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal(2, _fetcher.Calls);
        Assert.Equal(_time.GetUtcNow().AddDays(1), _store!.Get(Domain)?.ExpiresAt);
    }

    [Fact]
    public async Task A_failed_first_fetch_is_no_policy_with_the_failure_type()
    {
        _fetcher.Fail(Domain, MtaStsFailureTypes.PolicyInvalid, "line 2: mode 'x' is not enforce, testing or none");

        var lookup = await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Null(lookup.Policy);
        Assert.Null(lookup.PolicyId);
        Assert.Equal(MtaStsFailureTypes.PolicyInvalid, lookup.FailureResultType);
        Assert.Null(_store!.Get(Domain));
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    public async Task A_temporary_txt_failure_uses_the_cached_policy(DnsStatus status)
    {
        _fetcher.Serve(Domain, Enforce);
        await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);

        var lookup = await (await Resolver(Zone("v=STSv1; id=one").SetStatus(TxtName, status))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task A_temporary_txt_failure_without_a_cached_policy_is_no_policy()
    {
        _fetcher.Serve(Domain, Enforce);

        var lookup = await (await Resolver(new InMemoryDnsResolver().SetStatus(TxtName, DnsStatus.ServerFailure))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Null(lookup.Policy);
        Assert.Null(lookup.FailureResultType);
        Assert.Equal(0, _fetcher.Calls);
    }

    [Fact]
    public async Task A_removed_record_does_not_cancel_the_unexpired_cached_policy()
    {
        // RFC 8461 8.3: a domain withdraws by publishing mode "none"; suppressing the TXT record strips nothing.
        _fetcher.Serve(Domain, Enforce);
        await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);

        var lookup = await (await Resolver(new InMemoryDnsResolver())).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task Two_sts_records_are_no_policy_and_nothing_is_fetched()
    {
        _fetcher.Serve(Domain, Enforce);

        var lookup = await (await Resolver(Zone("v=STSv1; id=one", "v=STSv1; id=two"))).GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsLookup.NoPolicy, lookup);
        Assert.Equal(0, _fetcher.Calls);
    }

    [Fact]
    public async Task Mode_none_is_cached_and_means_no_policy()
    {
        _fetcher.Serve(Domain, "version: STSv1\nmode: none\nmax_age: 86400\n");
        var resolver = await Resolver(Zone("v=STSv1; id=gone"));

        var first = await resolver.GetPolicyAsync(Domain, CancellationToken.None);
        var second = await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Null(first.Policy);
        Assert.Equal("gone", first.PolicyId);
        Assert.Equal(first, second);
        Assert.Equal(1, _fetcher.Calls);
        Assert.Equal(MtaStsMode.None, _store!.Get(Domain)?.Policy.Mode);
    }

    [Fact]
    public async Task The_cache_survives_a_restart()
    {
        _fetcher.Serve(Domain, Enforce);
        await (await Resolver(Zone("v=STSv1; id=one"))).GetPolicyAsync(Domain, CancellationToken.None);

        // A new process: a new store loading the same directory, a new resolver.
        _store = null;
        var restarted = await Resolver(Zone("v=STSv1; id=one"));
        var lookup = await restarted.GetPolicyAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal("one", lookup.PolicyId);
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task Concurrent_lookups_share_one_fetch()
    {
        _fetcher.Serve(Domain, Enforce);
        _fetcher.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));

        var lookups = Enumerable.Range(0, 5).Select(_ => resolver.GetPolicyAsync(Domain, CancellationToken.None).AsTask()).ToArray();
        await _fetcher.Started.Task;
        _fetcher.Hold.SetResult();
        var results = await Task.WhenAll(lookups);

        Assert.All(results, r => Assert.Equal(MtaStsMode.Enforce, r.Policy?.Mode));
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task A_caller_giving_up_does_not_fail_the_shared_fetch()
    {
        _fetcher.Serve(Domain, Enforce);
        _fetcher.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        using var impatient = new CancellationTokenSource();

        var cancelled = resolver.GetPolicyAsync(Domain, impatient.Token).AsTask();
        var patient = resolver.GetPolicyAsync(Domain, CancellationToken.None).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _fetcher.Hold.SetResult();

        Assert.Equal(MtaStsMode.Enforce, (await patient).Policy?.Mode);
        Assert.Equal(1, _fetcher.Calls);
    }

    [Fact]
    public async Task Refresh_leaves_fresh_policies_alone_and_renews_those_near_expiry()
    {
        _fetcher.Serve(Domain, Testing);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        await resolver.GetPolicyAsync(Domain, CancellationToken.None);

        // One week of max_age: at day 4 more than a third remains; at day 5 less does.
        _time.Advance(TimeSpan.FromDays(4));
        Assert.Equal(0, await resolver.RefreshAsync(CancellationToken.None));
        Assert.Equal(1, _fetcher.Calls);

        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await resolver.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, _fetcher.Calls);
        Assert.Equal(_time.GetUtcNow().AddDays(7), _store!.Get(Domain)?.ExpiresAt);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_policy_until_it_expires_then_removes_it()
    {
        _fetcher.Serve(Domain, Enforce);
        var resolver = await Resolver(Zone("v=STSv1; id=one"));
        await resolver.GetPolicyAsync(Domain, CancellationToken.None);
        _fetcher.Fail(Domain);

        _time.Advance(TimeSpan.FromHours(20));
        Assert.Equal(0, await resolver.RefreshAsync(CancellationToken.None));
        Assert.Equal(MtaStsMode.Enforce, (await resolver.GetPolicyAsync(Domain, CancellationToken.None)).Policy?.Mode);

        _time.Advance(TimeSpan.FromHours(4));
        Assert.Equal(0, await resolver.RefreshAsync(CancellationToken.None));
        Assert.Null(_store!.Get(Domain));
        Assert.False(File.Exists(Path.Combine(_directory, "example.org.json")));
    }

    [Theory]
    [InlineData("EXAMPLE.org.")]
    [InlineData("example.org")]
    public async Task Domains_are_looked_up_in_canonical_form(string domain)
    {
        _fetcher.Serve(Domain, Enforce);
        var dns = Zone("v=STSv1; id=one");

        var lookup = await (await Resolver(dns)).GetPolicyAsync(domain, CancellationToken.None);

        Assert.Equal(MtaStsMode.Enforce, lookup.Policy?.Mode);
        Assert.Equal(1, dns.QueryCount(TxtName));
    }

    [Fact]
    public async Task An_address_literal_is_no_policy_without_a_lookup()
    {
        var dns = new InMemoryDnsResolver();

        var lookup = await (await Resolver(dns)).GetPolicyAsync("[192.0.2.1]", CancellationToken.None);

        Assert.Equal(MtaStsLookup.NoPolicy, lookup);
        Assert.Equal(0, _fetcher.Calls);
    }

    private static InMemoryDnsResolver Zone(params string[] txt)
    {
        var dns = new InMemoryDnsResolver();
        foreach (var record in txt)
        {
            dns.AddTxt(TxtName, record);
        }

        return dns.AddTxt(TxtName, "unrelated=1");
    }

    private async Task<MtaStsPolicyResolver> Resolver(IDnsResolver dns)
    {
        _store ??= await MtaStsPolicyStore.OpenAsync(_directory, NullLogger<MtaStsPolicyStore>.Instance, CancellationToken.None);
        var resolver = new MtaStsPolicyResolver(dns, _fetcher, _store, _time, NullLogger<MtaStsPolicyResolver>.Instance);
        _resolvers.Add(resolver);
        return resolver;
    }
}
