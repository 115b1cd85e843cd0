using System.Net;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Dns.Tests;

public sealed class DnsClientResolverTests : IAsyncLifetime
{
    private TinyDnsServer _server = null!;

    public Task InitializeAsync()
    {
        _server = TinyDnsServer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private DnsClientResolver Resolver(TimeSpan? timeout = null) =>
        new(new DnsResolverOptions { Servers = [_server.EndPoint], Timeout = timeout ?? TimeSpan.FromSeconds(2), Retries = 0 }, NullLogger<DnsClientResolver>.Instance);

    private DnsClientResolver Resolver(TimeProvider time, DnsResolverOptions? options = null) =>
        new((options ?? new DnsResolverOptions()) with { Servers = [_server.EndPoint], Timeout = TimeSpan.FromSeconds(2), Retries = 0 }, NullLogger<DnsClientResolver>.Instance, time);

    [Fact]
    public async Task Mx_records_come_back_normalized_with_the_smallest_ttl()
    {
        var answer = await Resolver().GetMxAsync("example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([new MxRecord(20, "mx2.example.test"), new MxRecord(10, "mx1.example.test")], answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(600), answer.Ttl);
    }

    [Fact]
    public async Task Trailing_dot_and_case_in_the_question_do_not_matter()
    {
        var answer = await Resolver().GetMxAsync("EXAMPLE.test.", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(2, answer.Records.Count);
    }

    [Fact]
    public async Task Addresses_join_a_and_aaaa()
    {
        var answer = await Resolver().GetAddressesAsync("mx1.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")], answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(200), answer.Ttl);
    }

    [Fact]
    public async Task Addresses_of_a_host_with_only_a_records_are_ok()
    {
        var answer = await Resolver().GetAddressesAsync("v4only.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([IPAddress.Parse("192.0.2.11")], answer.Records);
    }

    [Fact]
    public async Task Txt_strings_of_one_record_are_joined()
    {
        var answer = await Resolver().GetTxtAsync("example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(["v=spf1 -all"], answer.Records);
    }

    [Fact]
    public async Task Nxdomain_is_reported_with_the_negative_ttl_of_the_soa()
    {
        var answer = await Resolver().GetMxAsync("nowhere.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
        Assert.Empty(answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(60), answer.Ttl);
    }

    [Fact]
    public async Task Existing_name_without_the_type_is_nodata()
    {
        var answer = await Resolver().GetAddressesAsync("example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NoData, answer.Status);
        Assert.Empty(answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(120), answer.Ttl);
    }

    [Fact]
    public async Task Null_mx_is_the_root_name()
    {
        var answer = await Resolver().GetMxAsync("nullmx.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        var mx = Assert.Single(answer.Records);
        Assert.Equal(new MxRecord(0, "."), mx);
        Assert.True(mx.IsNullMx);
    }

    [Theory]
    [InlineData("servfail.test")]
    [InlineData("refused.test")]
    public async Task Error_answers_are_server_failures(string name)
    {
        var resolver = Resolver();

        Assert.Equal(DnsStatus.ServerFailure, (await resolver.GetMxAsync(name, CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.ServerFailure, (await resolver.GetAddressesAsync(name, CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.ServerFailure, (await resolver.GetTxtAsync(name, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task No_answer_is_a_timeout_not_an_exception()
    {
        var answer = await Resolver(TimeSpan.FromMilliseconds(300)).GetMxAsync("silent.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Timeout, answer.Status);
        Assert.Empty(answer.Records);
    }

    [Fact]
    public async Task Truncated_udp_answer_is_retried_over_tcp()
    {
        var answer = await Resolver().GetTxtAsync("big.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([new string('a', 200) + new string('b', 200), new string('c', 200)], answer.Records);
        Assert.Equal(1, _server.TcpQueries);
    }

    [Fact]
    public async Task Answers_are_cached_for_their_ttl()
    {
        var resolver = Resolver();
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        var before = _server.UdpQueries;

        var again = await resolver.GetMxAsync("example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, again.Status);
        Assert.Equal(before, _server.UdpQueries);
    }

    [Fact]
    public async Task Invalid_names_are_nxdomain_without_asking()
    {
        var answer = await Resolver().GetMxAsync("bad..name", CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
    }

    [Fact]
    public async Task Cancellation_is_the_only_exception()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Resolver().GetMxAsync("example.test", cts.Token));
    }

    [Fact]
    public async Task A_and_aaaa_can_be_asked_separately()
    {
        var resolver = Resolver();

        var a = await resolver.GetAAsync("mx1.example.test", CancellationToken.None);
        var aaaa = await resolver.GetAaaaAsync("mx1.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, a.Status);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], a.Records);
        Assert.Equal(TimeSpan.FromSeconds(300), a.Ttl);
        Assert.Equal(DnsStatus.Ok, aaaa.Status);
        Assert.Equal([IPAddress.Parse("2001:db8::10")], aaaa.Records);
        Assert.Equal(TimeSpan.FromSeconds(200), aaaa.Ttl);
    }

    [Fact]
    public async Task Aaaa_of_an_ipv4_only_host_is_nodata_with_the_soa_minimum()
    {
        var answer = await Resolver().GetAaaaAsync("v4only.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NoData, answer.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), answer.Ttl);
    }

    [Fact]
    public async Task Ptr_of_an_ipv4_address_is_asked_under_in_addr_arpa()
    {
        var answer = await Resolver().GetPtrAsync(IPAddress.Parse("1.2.3.4"), CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(["mail.example.test", "other.example.test"], answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(100), answer.Ttl);
    }

    [Fact]
    public async Task Ptr_of_an_ipv4_mapped_address_is_the_ipv4_one()
    {
        var answer = await Resolver().GetPtrAsync(IPAddress.Parse("::ffff:1.2.3.4"), CancellationToken.None);

        Assert.Equal(["mail.example.test", "other.example.test"], answer.Records);
    }

    [Fact]
    public async Task Ptr_of_an_ipv6_address_is_asked_under_ip6_arpa()
    {
        var answer = await Resolver().GetPtrAsync(IPAddress.Parse("2001:db8::10"), CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(["mx1.example.test"], answer.Records);
    }

    [Fact]
    public async Task Ptr_of_an_address_without_one_is_nxdomain()
    {
        var answer = await Resolver().GetPtrAsync(IPAddress.Parse("192.0.2.99"), CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
    }

    [Fact]
    public async Task Records_behind_a_cname_are_the_answer()
    {
        var answer = await Resolver().GetAAsync("alias.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(250), answer.Ttl);
    }

    [Fact]
    public async Task A_cname_without_records_of_the_type_is_nodata()
    {
        var answer = await Resolver().GetAAsync("cnameonly.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NoData, answer.Status);
        Assert.Empty(answer.Records);
        Assert.Equal(TimeSpan.FromSeconds(45), answer.Ttl);
    }

    [Fact]
    public async Task Nxdomain_is_cached_for_the_negative_ttl_then_asked_again()
    {
        var time = new FakeTimeProvider();
        var resolver = Resolver(time);
        await resolver.GetMxAsync("nowhere.test", CancellationToken.None);
        var afterFirst = _server.UdpQueries;

        time.Advance(TimeSpan.FromSeconds(59));
        var cached = await resolver.GetMxAsync("nowhere.test", CancellationToken.None);
        Assert.Equal(afterFirst, _server.UdpQueries);
        Assert.Equal(DnsStatus.NxDomain, cached.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), cached.Ttl);

        time.Advance(TimeSpan.FromSeconds(2));
        var again = await resolver.GetMxAsync("nowhere.test", CancellationToken.None);
        Assert.Equal(DnsStatus.NxDomain, again.Status);
        Assert.Equal(afterFirst + 1, _server.UdpQueries);
    }

    [Fact]
    public async Task Nodata_is_cached_like_nxdomain()
    {
        var time = new FakeTimeProvider();
        var resolver = Resolver(time);
        await resolver.GetAaaaAsync("v4only.example.test", CancellationToken.None);
        var afterFirst = _server.UdpQueries;

        var cached = await resolver.GetAaaaAsync("v4only.example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NoData, cached.Status);
        Assert.Equal(afterFirst, _server.UdpQueries);
    }

    [Fact]
    public async Task Negative_answer_without_soa_is_cached_for_the_short_fixed_time()
    {
        var time = new FakeTimeProvider();
        var resolver = Resolver(time, new DnsResolverOptions { NegativeTtlWithoutSoa = TimeSpan.FromSeconds(5) });

        var first = await resolver.GetTxtAsync("nosoa.test", CancellationToken.None);
        var afterFirst = _server.UdpQueries;
        Assert.Equal(DnsStatus.NxDomain, first.Status);
        Assert.Equal(TimeSpan.FromSeconds(5), first.Ttl);

        time.Advance(TimeSpan.FromSeconds(4));
        await resolver.GetTxtAsync("nosoa.test", CancellationToken.None);
        Assert.Equal(afterFirst, _server.UdpQueries);

        time.Advance(TimeSpan.FromSeconds(2));
        await resolver.GetTxtAsync("nosoa.test", CancellationToken.None);
        Assert.Equal(afterFirst + 1, _server.UdpQueries);
    }

    [Fact]
    public async Task Server_failures_are_not_cached()
    {
        var resolver = Resolver(new FakeTimeProvider());
        await resolver.GetTxtAsync("servfail.test", CancellationToken.None);
        var afterFirst = _server.UdpQueries;

        var again = await resolver.GetTxtAsync("servfail.test", CancellationToken.None);

        Assert.Equal(DnsStatus.ServerFailure, again.Status);
        Assert.True(_server.UdpQueries > afterFirst);
    }

    [Fact]
    public async Task Cached_ttl_counts_down_and_is_capped_by_max_ttl()
    {
        var time = new FakeTimeProvider();
        var resolver = Resolver(time, new DnsResolverOptions { MaxTtl = TimeSpan.FromSeconds(100) });
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        var afterFirst = _server.UdpQueries;

        time.Advance(TimeSpan.FromSeconds(30));
        var cached = await resolver.GetMxAsync("example.test", CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(70), cached.Ttl);
        Assert.Equal(afterFirst, _server.UdpQueries);

        // The answer's own TTL is 600 s, but the cap ends its life at 100 s.
        time.Advance(TimeSpan.FromSeconds(71));
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        Assert.Equal(afterFirst + 1, _server.UdpQueries);
    }

    [Fact]
    public async Task A_full_cache_evicts_the_least_recently_used_answer()
    {
        var resolver = Resolver(new FakeTimeProvider(), new DnsResolverOptions { MaxCacheEntries = 2 });
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        await resolver.GetTxtAsync("example.test", CancellationToken.None);
        await resolver.GetMxAsync("example.test", CancellationToken.None);

        // Full: the TXT answer is the one used least recently, so the A answer takes its place.
        await resolver.GetAAsync("mx1.example.test", CancellationToken.None);
        var before = _server.UdpQueries;
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        await resolver.GetAAsync("mx1.example.test", CancellationToken.None);
        Assert.Equal(before, _server.UdpQueries);
        Assert.Equal(2, resolver.CachedAnswers);

        await resolver.GetTxtAsync("example.test", CancellationToken.None);
        Assert.Equal(before + 1, _server.UdpQueries);
        Assert.Equal(2, resolver.CachedAnswers);
    }

    [Fact]
    public async Task The_cache_is_bounded_by_the_bytes_its_answers_take()
    {
        // Room for big.test's TXT answer (two records of 400 and 200 characters) and example.test's TXT answer,
        // not for the MX answer as well: the byte bound evicts although the entry bound is far away.
        var big = DnsAnswerCache.EstimateBytes(new DnsCacheKey(16, "big.test"), new DnsAnswer<string>(DnsStatus.Ok, [new string('a', 400), new string('c', 200)], TimeSpan.FromSeconds(1)));
        var txt = DnsAnswerCache.EstimateBytes(new DnsCacheKey(16, "example.test"), new DnsAnswer<string>(DnsStatus.Ok, ["v=spf1 -all"], TimeSpan.FromSeconds(1)));
        var bound = big + txt;
        var resolver = Resolver(new FakeTimeProvider(), new DnsResolverOptions { MaxCacheEntries = 1000, MaxCacheBytes = bound });
        await resolver.GetTxtAsync("big.test", CancellationToken.None);
        Assert.Equal(big, resolver.CachedBytes);
        await resolver.GetTxtAsync("example.test", CancellationToken.None);
        Assert.Equal(bound, resolver.CachedBytes);

        await resolver.GetMxAsync("example.test", CancellationToken.None);

        Assert.True(resolver.CachedBytes <= bound);
        var before = _server.UdpQueries;
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        Assert.Equal(before, _server.UdpQueries);
        await resolver.GetTxtAsync("big.test", CancellationToken.None);
        Assert.Equal(before + 1, _server.UdpQueries);
    }

    [Fact]
    public void Answer_size_grows_with_its_records()
    {
        var key = new DnsCacheKey(16, "example.test");
        var small = DnsAnswerCache.EstimateBytes(key, new DnsAnswer<string>(DnsStatus.Ok, ["v=spf1 -all"], TimeSpan.FromSeconds(1)));
        var large = DnsAnswerCache.EstimateBytes(key, new DnsAnswer<string>(DnsStatus.Ok, [new string('k', 4000)], TimeSpan.FromSeconds(1)));
        var none = DnsAnswerCache.EstimateBytes(key, new DnsAnswer<string>(DnsStatus.NxDomain, [], TimeSpan.FromSeconds(1)));

        Assert.True(none < small);
        Assert.True(large - small >= 2 * (4000 - "v=spf1 -all".Length));
    }

    [Fact]
    public async Task A_new_timeout_keeps_the_cache_and_new_servers_flush_it()
    {
        var resolver = Resolver(new FakeTimeProvider());
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        var before = _server.UdpQueries;

        resolver.Apply(resolver.Options with { Timeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(TimeSpan.FromSeconds(3), resolver.Options.Timeout);
        await resolver.GetMxAsync("example.test", CancellationToken.None);
        Assert.Equal(before, _server.UdpQueries);

        // The same server under a new list object is no change; another list is.
        resolver.Apply(resolver.Options with { Servers = [new IPEndPoint(IPAddress.Loopback, _server.EndPoint.Port)] });
        Assert.Equal(1, resolver.CachedAnswers);

        await using var other = TinyDnsServer.Start();
        resolver.Apply(resolver.Options with { Servers = [other.EndPoint] });
        Assert.Equal(0, resolver.CachedAnswers);
        var answer = await resolver.GetMxAsync("example.test", CancellationToken.None);
        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(1, other.UdpQueries);
        Assert.Equal(before, _server.UdpQueries);
    }

    [Fact]
    public async Task Expired_entries_make_room_in_a_full_cache()
    {
        var time = new FakeTimeProvider();
        var resolver = Resolver(time, new DnsResolverOptions { MaxCacheEntries = 1 });
        await resolver.GetMxAsync("example.test", CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(601));
        await resolver.GetAAsync("mx1.example.test", CancellationToken.None);
        var before = _server.UdpQueries;
        await resolver.GetAAsync("mx1.example.test", CancellationToken.None);

        Assert.Equal(1, resolver.CachedAnswers);
        Assert.Equal(before, _server.UdpQueries);
    }

    [Theory]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123.example.test")]
    [InlineData(".leading.test")]
    public async Task Names_a_query_cannot_carry_are_nxdomain_without_asking(string name)
    {
        var resolver = Resolver();
        var before = _server.UdpQueries;

        var answer = await resolver.GetAAsync(name, CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
        Assert.Equal(before, _server.UdpQueries);
    }

    [Fact]
    public async Task Names_over_253_characters_are_nxdomain_without_asking()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".test";
        var resolver = Resolver();
        var before = _server.UdpQueries;

        var answer = await resolver.GetTxtAsync(name, CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
        Assert.Equal(before, _server.UdpQueries);
    }

    [Fact]
    public async Task Truncation_with_plain_512_octet_udp_still_falls_back_to_tcp()
    {
        var resolver = new DnsClientResolver(
            new DnsResolverOptions { Servers = [_server.EndPoint], Timeout = TimeSpan.FromSeconds(2), Retries = 0, UdpPayloadSize = 512 },
            NullLogger<DnsClientResolver>.Instance);

        var answer = await resolver.GetTxtAsync("big.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal(2, answer.Records.Count);
        Assert.Equal(1, _server.TcpQueries);
    }

    [Fact]
    public void Payload_size_outside_16_bits_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsClientResolver(
            new DnsResolverOptions { Servers = [_server.EndPoint], UdpPayloadSize = 70_000 }, NullLogger<DnsClientResolver>.Instance));
    }
}
