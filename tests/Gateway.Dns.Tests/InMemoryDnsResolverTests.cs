using System.Net;
using Gateway.Abstractions;

namespace Gateway.Dns.Tests;

public sealed class InMemoryDnsResolverTests
{
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
}
