using System.Net;
using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Spam.Reputation;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Spam.Tests.Reputation;

/// <summary>DNS list lookups (RFC 5782) against in-memory zones: names, code filters, the cache, failures.</summary>
public sealed class DnsListClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static DnsListDefinition List(string zone, double weight = 3, DnsListCodes? codes = null) =>
        new("DNSBL_" + zone, zone, weight, codes ?? DnsListCodes.Any);

    [Fact]
    public void Address_names_reverse_octets_and_ipv6_nibbles()
    {
        Assert.Equal("2.0.0.127.zen.example.test", DnsListQuery.ForAddress(IPAddress.Parse("127.0.0.2"), "zen.example.test"));
        Assert.Equal("7.113.0.203.zen.example.test", DnsListQuery.ForAddress(IPAddress.Parse("::ffff:203.0.113.7"), "zen.example.test"));

        // RFC 5782 2.4: the example address 2001:db8:1:2:3:4:567:89ab.
        Assert.Equal(
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.list.example.test",
            DnsListQuery.ForAddress(IPAddress.Parse("2001:db8:1:2:3:4:567:89ab"), "list.example.test"));
    }

    [Fact]
    public void A_domain_that_would_not_fit_in_a_dns_name_is_not_asked()
    {
        Assert.Equal("spam.test.dbl.example.test", DnsListQuery.ForDomain("spam.test", "dbl.example.test"));
        Assert.Null(DnsListQuery.ForDomain(string.Join('.', Enumerable.Repeat(new string('a', 60), 4)), "dbl.example.test"));
    }

    [Fact]
    public async Task An_ipv6_client_is_found_at_its_nibble_name()
    {
        var dns = new InMemoryDnsResolver().AddA("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.list.example.test", "127.0.0.2");
        var client = new DnsListClient(dns, new FakeTimeProvider());

        var result = await client.CheckAddressAsync(List("list.example.test"), IPAddress.Parse("2001:db8:1:2:3:4:567:89ab"), Timeout, default);

        Assert.Equal(DnsListOutcome.Listed, result.Outcome);
        Assert.Equal("127.0.0.2", result.CodeText);
    }

    [Theory]
    [InlineData("127.0.0.2", DnsListOutcome.Listed)]
    [InlineData("127.0.0.4", DnsListOutcome.Listed)]
    [InlineData("127.0.0.10", DnsListOutcome.NotListed)]
    public async Task Only_the_codes_an_entry_names_count(string answer, DnsListOutcome expected)
    {
        var dns = new InMemoryDnsResolver().AddA("7.113.0.203.zen.example.test", answer);
        var codes = new DnsListCodes { Codes = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.4")] };

        var result = await new DnsListClient(dns, new FakeTimeProvider()).CheckAddressAsync(List("zen.example.test", codes: codes), IPAddress.Parse("203.0.113.7"), Timeout, default);

        Assert.Equal(expected, result.Outcome);
    }

    [Theory]
    [InlineData("127.0.0.2", 0x02, DnsListOutcome.Listed)]
    [InlineData("127.0.0.6", 0x04, DnsListOutcome.Listed)]
    [InlineData("127.0.0.8", 0x06, DnsListOutcome.NotListed)]
    public async Task A_mask_counts_answers_with_one_of_its_bits(string answer, byte mask, DnsListOutcome expected)
    {
        var dns = new InMemoryDnsResolver().AddA("spam.test.multi.example.test", answer);

        var result = await new DnsListClient(dns, new FakeTimeProvider())
            .CheckDomainAsync(List("multi.example.test", codes: new DnsListCodes { Mask = mask }), "spam.test", Timeout, default);

        Assert.Equal(expected, result!.Outcome);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("127.255.255.254")]
    public async Task An_answer_outside_127_8_or_an_operator_error_code_is_an_error_not_a_listing(string answer)
    {
        var dns = new InMemoryDnsResolver().AddA("7.113.0.203.zen.example.test", answer).AddA("7.113.0.203.zen.example.test", "127.0.0.2");

        var result = await new DnsListClient(dns, new FakeTimeProvider()).CheckAddressAsync(List("zen.example.test"), IPAddress.Parse("203.0.113.7"), Timeout, default);

        Assert.Equal(DnsListOutcome.InvalidAnswer, result.Outcome);
        Assert.Equal(answer, result.CodeText);
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    public async Task A_failing_zone_is_skipped_and_asked_again_next_time(DnsStatus status)
    {
        var dns = new InMemoryDnsResolver().SetStatus("7.113.0.203.zen.example.test", status);
        var client = new DnsListClient(dns, new FakeTimeProvider());

        var result = await client.CheckAddressAsync(List("zen.example.test"), IPAddress.Parse("203.0.113.7"), Timeout, default);
        await client.CheckAddressAsync(List("zen.example.test"), IPAddress.Parse("203.0.113.7"), Timeout, default);

        Assert.Equal(DnsListOutcome.Failed, result.Outcome);
        Assert.Equal(status, result.Status);
        Assert.Equal(2, dns.QueryCount("7.113.0.203.zen.example.test"));
    }

    [Fact]
    public async Task A_zone_that_does_not_answer_in_time_is_a_timeout_not_an_exception()
    {
        var time = new FakeTimeProvider();
        var client = new DnsListClient(new SilentResolver(), time);

        var pending = client.CheckAddressAsync(List("slow.example.test"), IPAddress.Parse("203.0.113.7"), Timeout, default);
        Assert.False(pending.IsCompleted);
        time.Advance(Timeout);
        var result = await pending;

        Assert.Equal(DnsListOutcome.Failed, result.Outcome);
        Assert.Equal(DnsStatus.Timeout, result.Status);
    }

    [Fact]
    public async Task The_callers_cancellation_still_throws()
    {
        using var cancel = new CancellationTokenSource();
        var pending = new DnsListClient(new SilentResolver(), new FakeTimeProvider())
            .CheckAddressAsync(List("slow.example.test"), IPAddress.Parse("203.0.113.7"), Timeout, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Answers_are_kept_for_their_ttl_and_shared_by_entries_of_one_zone()
    {
        var time = new FakeTimeProvider();
        var dns = new InMemoryDnsResolver { Ttl = TimeSpan.FromMinutes(5) }.AddA("7.113.0.203.zen.example.test", "127.0.0.10");
        var client = new DnsListClient(dns, time);
        var sbl = List("zen.example.test", codes: new DnsListCodes { Codes = [IPAddress.Parse("127.0.0.2")] });
        var pbl = List("zen.example.test", codes: new DnsListCodes { Codes = [IPAddress.Parse("127.0.0.10")] });
        var address = IPAddress.Parse("203.0.113.7");

        Assert.Equal(DnsListOutcome.NotListed, (await client.CheckAddressAsync(sbl, address, Timeout, default)).Outcome);
        Assert.Equal(DnsListOutcome.Listed, (await client.CheckAddressAsync(pbl, address, Timeout, default)).Outcome);
        time.Advance(TimeSpan.FromMinutes(4));
        await client.CheckAddressAsync(pbl, address, Timeout, default);
        Assert.Equal(1, dns.QueryCount("7.113.0.203.zen.example.test"));

        time.Advance(TimeSpan.FromMinutes(1));
        await client.CheckAddressAsync(pbl, address, Timeout, default);
        Assert.Equal(2, dns.QueryCount("7.113.0.203.zen.example.test"));
    }

    [Fact]
    public async Task A_long_ttl_is_capped_and_negative_answers_are_kept_too()
    {
        var time = new FakeTimeProvider();
        var dns = new InMemoryDnsResolver { Ttl = TimeSpan.FromDays(2) };
        var client = new DnsListClient(dns, time, new DnsListCacheOptions(MaxTtl: TimeSpan.FromMinutes(10)));
        var address = IPAddress.Parse("203.0.113.7");

        Assert.Equal(DnsListOutcome.NotListed, (await client.CheckAddressAsync(List("zen.example.test"), address, Timeout, default)).Outcome);
        time.Advance(TimeSpan.FromMinutes(9));
        await client.CheckAddressAsync(List("zen.example.test"), address, Timeout, default);
        Assert.Equal(1, dns.QueryCount("7.113.0.203.zen.example.test"));

        time.Advance(TimeSpan.FromMinutes(1));
        await client.CheckAddressAsync(List("zen.example.test"), address, Timeout, default);
        Assert.Equal(2, dns.QueryCount("7.113.0.203.zen.example.test"));
    }

    [Fact]
    public async Task The_cache_holds_at_most_its_bound()
    {
        var client = new DnsListClient(new InMemoryDnsResolver(), new FakeTimeProvider(), new DnsListCacheOptions(MaxEntries: 32));

        for (var i = 0; i < 100; i++)
        {
            await client.CheckDomainAsync(List("dbl.example.test"), $"d{i}.test", Timeout, default);
            Assert.True(client.CachedAnswers <= 32);
        }
    }

    /// <summary>A resolver whose server never answers: only the deadline ends the question.</summary>
    private sealed class SilentResolver : IDnsResolver
    {
        public ValueTask<DnsAnswer<IPAddress>> GetAAsync(string host, CancellationToken ct) => Never<IPAddress>(ct);

        public ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct) => Never<MxRecord>(ct);

        public ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct) => Never<IPAddress>(ct);

        public ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct) => Never<string>(ct);

        public ValueTask<DnsAnswer<IPAddress>> GetAaaaAsync(string host, CancellationToken ct) => Never<IPAddress>(ct);

        public ValueTask<DnsAnswer<string>> GetPtrAsync(IPAddress address, CancellationToken ct) => Never<string>(ct);

        public ValueTask<DnsAnswer<TlsaRecord>> GetTlsaAsync(string name, CancellationToken ct) => Never<TlsaRecord>(ct);

        private static async ValueTask<DnsAnswer<T>> Never<T>(CancellationToken ct)
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        }
    }
}
