using System.Net;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

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
}
