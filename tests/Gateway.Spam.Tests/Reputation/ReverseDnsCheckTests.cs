using System.Net;
using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Spam.Reputation;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Spam.Tests.Reputation;

public sealed class ReverseDnsCheckTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static Task<ReverseDnsResult> CheckAsync(InMemoryDnsResolver dns, IPAddress? client = null) =>
        new ReverseDnsCheck(dns, new FakeTimeProvider()).CheckAsync(client ?? Client, Timeout, default);

    [Fact]
    public async Task A_ptr_name_that_leads_back_is_confirmed()
    {
        var dns = new InMemoryDnsResolver()
            .AddPtr(Client, "other.sender.test").AddPtr(Client, "mail.sender.test")
            .AddA("other.sender.test", "198.51.100.1").AddA("mail.sender.test", "203.0.113.7");

        var result = await CheckAsync(dns);

        Assert.Equal(ReverseDnsOutcome.Confirmed, result.Outcome);
        Assert.Equal("mail.sender.test", result.Name);
    }

    [Fact]
    public async Task An_ipv6_client_is_confirmed_by_aaaa_records()
    {
        var client = IPAddress.Parse("2001:db8::25");
        var dns = new InMemoryDnsResolver().AddPtr(client, "mx6.sender.test").AddA("mx6.sender.test", "2001:db8::25");

        Assert.Equal(ReverseDnsOutcome.Confirmed, (await CheckAsync(dns, client)).Outcome);
    }

    [Fact]
    public async Task No_ptr_record_is_not_confirmed()
    {
        Assert.Equal(ReverseDnsOutcome.NotConfirmed, (await CheckAsync(new InMemoryDnsResolver())).Outcome);
    }

    [Fact]
    public async Task A_ptr_name_pointing_elsewhere_is_not_confirmed()
    {
        var dns = new InMemoryDnsResolver().AddPtr(Client, "forged.bank.test").AddA("forged.bank.test", "198.51.100.1");

        Assert.Equal(ReverseDnsOutcome.NotConfirmed, (await CheckAsync(dns)).Outcome);
    }

    [Fact]
    public async Task A_failing_lookup_gives_no_verdict()
    {
        var ptrFails = new InMemoryDnsResolver().SetStatus("7.113.0.203.in-addr.arpa", DnsStatus.ServerFailure);
        var forwardFails = new InMemoryDnsResolver().AddPtr(Client, "mail.sender.test").SetStatus("mail.sender.test", DnsStatus.Timeout);

        Assert.Equal(ReverseDnsOutcome.Failed, (await CheckAsync(ptrFails)).Outcome);
        var result = await CheckAsync(forwardFails);
        Assert.Equal(ReverseDnsOutcome.Failed, result.Outcome);
        Assert.Equal(DnsStatus.Timeout, result.Status);
    }

    [Fact]
    public async Task At_most_ten_ptr_names_are_followed()
    {
        var dns = new InMemoryDnsResolver();
        for (var i = 0; i < 12; i++)
        {
            dns.AddPtr(Client, $"h{i}.sender.test");
        }

        dns.AddA("h11.sender.test", "203.0.113.7");

        Assert.Equal(ReverseDnsOutcome.NotConfirmed, (await CheckAsync(dns)).Outcome);
        Assert.Equal(0, dns.QueryCount("h11.sender.test"));
    }
}
