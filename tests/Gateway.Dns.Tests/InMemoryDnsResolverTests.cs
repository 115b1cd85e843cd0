using System.Net;
using Gateway.Abstractions;

namespace Gateway.Dns.Tests;

public sealed class InMemoryDnsResolverTests
{
    [Fact]
    public async Task Answers_in_a_signed_zone_are_authenticated_and_others_are_not()
    {
        var tlsa = new TlsaRecord(3, 1, 1, Convert.FromHexString("0102"));
        var dns = new InMemoryDnsResolver()
            .AddTlsa("_25._tcp.mx.secure.test", tlsa)
            .AddA("mx.secure.test", "192.0.2.1")
            .AddA("mx.plain.test", "192.0.2.2")
            .AddCname("alias.secure.test", "mx.plain.test")
            .SetSigned("secure.test");

        var secure = await dns.GetTlsaAsync("_25._tcp.MX.secure.test.", CancellationToken.None);
        Assert.Equal(DnsStatus.Ok, secure.Status);
        Assert.True(secure.Authenticated);
        Assert.Equal([tlsa], secure.Records);
        Assert.Equal("3 1 1 0102", secure.Records[0].ToString());

        // Denial of existence in a signed zone is authenticated too (RFC 7672 2.2: no TLSA securely).
        var none = await dns.GetTlsaAsync("_25._tcp.other.secure.test", CancellationToken.None);
        Assert.Equal(DnsStatus.NxDomain, none.Status);
        Assert.True(none.Authenticated);

        Assert.True((await dns.GetAddressesAsync("mx.secure.test", CancellationToken.None)).Authenticated);
        Assert.False((await dns.GetAddressesAsync("mx.plain.test", CancellationToken.None)).Authenticated);

        // A chain leaving the signed zone is only as secure as its weakest name.
        var alias = await dns.GetAAsync("alias.secure.test", CancellationToken.None);
        Assert.Equal(DnsStatus.Ok, alias.Status);
        Assert.False(alias.Authenticated);
    }

    [Fact]
    public async Task Records_are_returned_in_the_order_added()
    {
        var dns = new InMemoryDnsResolver()
            .AddMx("example.test", 20, "mx2.example.test")
            .AddMx("example.test", 10, "mx1.example.test.");

        var answer = await dns.GetMxAsync("example.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.Equal([new MxRecord(20, "mx2.example.test"), new MxRecord(10, "mx1.example.test")], answer.Records);
        Assert.Equal(dns.Ttl, answer.Ttl);
    }

    [Theory]
    [InlineData("Example.TEST")]
    [InlineData("example.test.")]
    [InlineData("EXAMPLE.TEST.")]
    public async Task Names_are_case_insensitive_and_the_trailing_dot_is_ignored(string asked)
    {
        var dns = new InMemoryDnsResolver().AddA("example.test", "192.0.2.1").AddTxt("EXAMPLE.test.", "hello");

        Assert.Equal([IPAddress.Parse("192.0.2.1")], (await dns.GetAddressesAsync(asked, CancellationToken.None)).Records);
        Assert.Equal(["hello"], (await dns.GetTxtAsync(asked, CancellationToken.None)).Records);
        Assert.Equal(2, dns.QueryCount("example.test"));
    }

    [Fact]
    public async Task A_and_aaaa_are_answered_together()
    {
        var dns = new InMemoryDnsResolver().AddA("host.test", "192.0.2.1").AddA("host.test", IPAddress.Parse("2001:db8::1"));

        var answer = await dns.GetAddressesAsync("host.test", CancellationToken.None);

        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")], answer.Records);
    }

    [Fact]
    public async Task Unknown_name_is_nxdomain_and_other_types_of_a_known_name_are_nodata()
    {
        var dns = new InMemoryDnsResolver().AddA("host.test", "192.0.2.1");

        Assert.Equal(DnsStatus.NxDomain, (await dns.GetMxAsync("other.test", CancellationToken.None)).Status);
        var noData = await dns.GetMxAsync("host.test", CancellationToken.None);
        Assert.Equal(DnsStatus.NoData, noData.Status);
        Assert.Empty(noData.Records);
        Assert.Equal(DnsStatus.NoData, (await dns.GetTxtAsync("host.test", CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    [InlineData(DnsStatus.NxDomain)]
    public async Task Forced_status_overrides_records(DnsStatus status)
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "mx.example.test").SetStatus("Example.Test.", status);

        var answer = await dns.GetMxAsync("example.test", CancellationToken.None);

        Assert.Equal(status, answer.Status);
        Assert.Empty(answer.Records);
    }

    [Fact]
    public async Task Setting_ok_removes_the_override()
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "mx.example.test").SetStatus("example.test", DnsStatus.ServerFailure);

        dns.SetStatus("example.test", DnsStatus.Ok);

        Assert.Equal(DnsStatus.Ok, (await dns.GetMxAsync("example.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Null_mx_is_kept_as_the_root()
    {
        var dns = new InMemoryDnsResolver().AddMx("nullmx.test", 0, ".");

        var mx = Assert.Single((await dns.GetMxAsync("nullmx.test", CancellationToken.None)).Records);

        Assert.True(mx.IsNullMx);
        Assert.Equal(".", mx.Exchange);
    }

    [Fact]
    public async Task Returned_lists_do_not_change_when_records_are_added_later()
    {
        var dns = new InMemoryDnsResolver().AddTxt("t.test", "one");
        var first = await dns.GetTxtAsync("t.test", CancellationToken.None);

        dns.AddTxt("t.test", "two");

        Assert.Equal(["one"], first.Records);
        Assert.Equal(["one", "two"], (await dns.GetTxtAsync("t.test", CancellationToken.None)).Records);
    }

    [Fact]
    public void Preference_out_of_range_is_refused()
    {
        var dns = new InMemoryDnsResolver();

        Assert.Throws<ArgumentOutOfRangeException>(() => dns.AddMx("x.test", 65536, "mx.x.test"));
        Assert.Throws<ArgumentOutOfRangeException>(() => dns.AddMx("x.test", -1, "mx.x.test"));
    }

    [Fact]
    public async Task Cancelled_queries_throw()
    {
        var dns = new InMemoryDnsResolver().AddA("h.test", "192.0.2.1");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await dns.GetAddressesAsync("h.test", new CancellationToken(true)));
    }

    [Fact]
    public async Task A_and_aaaa_questions_see_only_their_family()
    {
        var dns = new InMemoryDnsResolver().AddA("host.test", "192.0.2.1").AddA("host.test", "2001:db8::1").AddA("v4.test", "192.0.2.2");

        Assert.Equal([IPAddress.Parse("192.0.2.1")], (await dns.GetAAsync("host.test", CancellationToken.None)).Records);
        Assert.Equal([IPAddress.Parse("2001:db8::1")], (await dns.GetAaaaAsync("host.test", CancellationToken.None)).Records);
        Assert.Equal(DnsStatus.NoData, (await dns.GetAaaaAsync("v4.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Ptr_records_answer_by_address_or_reverse_name()
    {
        var dns = new InMemoryDnsResolver()
            .AddPtr(IPAddress.Parse("192.0.2.1"), "Mail.Example.Test.")
            .AddPtr("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa", "v6.example.test");

        Assert.Equal(["mail.example.test"], (await dns.GetPtrAsync(IPAddress.Parse("192.0.2.1"), CancellationToken.None)).Records);
        Assert.Equal(["mail.example.test"], (await dns.GetPtrAsync(IPAddress.Parse("::ffff:192.0.2.1"), CancellationToken.None)).Records);
        Assert.Equal(["v6.example.test"], (await dns.GetPtrAsync(IPAddress.Parse("2001:db8::1"), CancellationToken.None)).Records);
        Assert.Equal(DnsStatus.NxDomain, (await dns.GetPtrAsync(IPAddress.Parse("192.0.2.2"), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Txt_strings_are_joined_and_limited_to_255_octets_each()
    {
        var dns = new InMemoryDnsResolver().AddTxtStrings("t.test", ["v=spf1 ", "-all"]).AddTxtStrings("t.test", []);

        Assert.Equal(["v=spf1 -all", ""], (await dns.GetTxtAsync("t.test", CancellationToken.None)).Records);
        Assert.Throws<ArgumentException>(() => dns.AddTxtStrings("t.test", [new string('x', 256)]));
    }

    [Fact]
    public async Task Cname_chains_are_followed_and_loops_are_server_failures()
    {
        var dns = new InMemoryDnsResolver()
            .AddCname("alias.test", "middle.test")
            .AddCname("middle.test", "real.test")
            .AddA("real.test", "192.0.2.5")
            .AddCname("loop1.test", "loop2.test")
            .AddCname("loop2.test", "LOOP1.test.");

        Assert.Equal([IPAddress.Parse("192.0.2.5")], (await dns.GetAAsync("alias.test", CancellationToken.None)).Records);
        Assert.Equal(DnsStatus.NoData, (await dns.GetTxtAsync("alias.test", CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.ServerFailure, (await dns.GetAAsync("loop1.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Empty_non_terminals_are_nodata_not_nxdomain()
    {
        var dns = new InMemoryDnsResolver().AddA("a.b.example.test", "192.0.2.1");

        Assert.Equal(DnsStatus.NoData, (await dns.GetAAsync("b.example.test", CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.NoData, (await dns.GetTxtAsync("example.test", CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.NxDomain, (await dns.GetAAsync("c.example.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Status_forced_for_one_type_leaves_the_others_alone()
    {
        var dns = new InMemoryDnsResolver().AddA("h.test", "192.0.2.1").SetStatus("h.test", DnsRecordType.Txt, DnsStatus.Timeout);

        Assert.Equal(DnsStatus.Timeout, (await dns.GetTxtAsync("h.test", CancellationToken.None)).Status);
        Assert.Equal(DnsStatus.Ok, (await dns.GetAAsync("h.test", CancellationToken.None)).Status);

        dns.SetStatus("h.test", DnsRecordType.Txt, DnsStatus.Ok);
        Assert.Equal(DnsStatus.NoData, (await dns.GetTxtAsync("h.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Addresses_report_a_failure_of_either_family_when_there_is_no_address()
    {
        var dns = new InMemoryDnsResolver().SetStatus("h.test", DnsRecordType.Aaaa, DnsStatus.ServerFailure);

        Assert.Equal(DnsStatus.ServerFailure, (await dns.GetAddressesAsync("h.test", CancellationToken.None)).Status);

        dns.AddA("h.test", "192.0.2.1");
        Assert.Equal(DnsStatus.Ok, (await dns.GetAddressesAsync("h.test", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Clearing_a_forced_status_of_an_unknown_name_leaves_it_nxdomain()
    {
        var dns = new InMemoryDnsResolver().SetStatus("gone.test", DnsStatus.ServerFailure).SetStatus("gone.test", DnsStatus.Ok);

        Assert.Equal(DnsStatus.NxDomain, (await dns.GetAAsync("gone.test", CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData("192.0.2.1", "1.2.0.192.in-addr.arpa")]
    [InlineData("::ffff:192.0.2.1", "1.2.0.192.in-addr.arpa")]
    [InlineData("2001:db8::567:89ab", "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    public void Reverse_names_follow_rfc_1035_and_rfc_3596(string address, string expected)
    {
        Assert.Equal(expected, ReverseNames.For(IPAddress.Parse(address)));
    }
}
