using System.Net;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Dns;
using Gateway.Queue.Scheduling;
using Gateway.Transport;
using Gateway.Transport.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Delivery.Tests;

public sealed class RouterTests
{
    private static Router Router(InMemoryDnsResolver dns, DeliveryOptions? options = null, int seed = 1) =>
        new(options ?? new DeliveryOptions { HostName = "gw.ours.test", Port = 2525 }, dns, NullLogger<Router>.Instance, localAddresses: [IPAddress.Parse("192.0.2.99")], random: new Random(seed));

    [Fact]
    public async Task Mx_hosts_are_tried_by_preference()
    {
        var dns = new InMemoryDnsResolver()
            .AddMx("example.test", 20, "b.example.test").AddMx("example.test", 10, "a.example.test")
            .AddA("a.example.test", "192.0.2.1").AddA("b.example.test", "192.0.2.2").AddA("b.example.test", "2001:db8::2");

        var decision = await Router(dns).RouteAsync("Example.Test", MailDirection.Outbound, CancellationToken.None);

        Assert.Null(decision.Failure);
        Assert.Equal("mx:example.test", decision.Destination);
        Assert.Equal(["192.0.2.1", "192.0.2.2", "2001:db8::2"], decision.Hops.Select(h => h.Address.ToString()));
        Assert.All(decision.Hops, h => Assert.Equal(2525, h.Port));
        Assert.Equal("a.example.test", decision.Hops[0].Host);
    }

    [Fact]
    public async Task Equal_preferences_are_shuffled()
    {
        var dns = new InMemoryDnsResolver()
            .AddMx("example.test", 10, "a.example.test").AddMx("example.test", 10, "b.example.test").AddMx("example.test", 5, "first.example.test")
            .AddA("a.example.test", "192.0.2.1").AddA("b.example.test", "192.0.2.2").AddA("first.example.test", "192.0.2.5");

        var orders = new HashSet<string>();
        for (var seed = 0; seed < 40; seed++)
        {
            var decision = await Router(dns, seed: seed).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);
            Assert.Equal("192.0.2.5", decision.Hops[0].Address.ToString());
            orders.Add(string.Join(",", decision.Hops.Skip(1).Select(h => h.Host)));
        }

        Assert.Equal(["a.example.test,b.example.test", "b.example.test,a.example.test"], orders.Order());
    }

    [Fact]
    public async Task No_mx_means_the_domain_is_its_own_mail_server()
    {
        var dns = new InMemoryDnsResolver().AddA("example.test", "192.0.2.7");

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        var hop = Assert.Single(decision.Hops);
        Assert.Equal("example.test", hop.Host);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), hop.Address);
    }

    [Fact]
    public async Task Null_mx_fails_permanently_with_556()
    {
        var dns = new InMemoryDnsResolver().AddMx("nullmx.test", 0, ".").AddA("nullmx.test", "192.0.2.1");

        var decision = await Router(dns).RouteAsync("nullmx.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Empty(decision.Hops);
        Assert.Equal(OutcomeKind.PermanentFailure, decision.Failure!.Kind);
        Assert.Equal(556, decision.Failure.Code);
        Assert.Equal("5.1.10", decision.Failure.EnhancedCode);
    }

    [Fact]
    public async Task Nxdomain_fails_permanently_domain_not_found()
    {
        var decision = await Router(new InMemoryDnsResolver()).RouteAsync("nowhere.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.PermanentFailure, decision.Failure!.Kind);
        Assert.StartsWith("550 5.1.2 domain not found", decision.Failure.Diagnostic, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    public async Task Dns_trouble_is_transient(DnsStatus status)
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "mx.example.test").SetStatus("example.test", status);

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.TransientFailure, decision.Failure!.Kind);
        Assert.Equal("4.4.3", decision.Failure.EnhancedCode);
    }

    [Fact]
    public async Task Mx_host_lookup_trouble_is_transient_when_nothing_else_resolves()
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "mx.example.test").SetStatus("mx.example.test", DnsStatus.Timeout);

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.TransientFailure, decision.Failure!.Kind);
    }

    [Fact]
    public async Task Mx_hosts_without_any_address_fail_permanently()
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "gone.example.test");

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.PermanentFailure, decision.Failure!.Kind);
        Assert.Equal("5.4.4", decision.Failure.EnhancedCode);
    }

    [Fact]
    public async Task Our_own_name_as_best_mx_loops_back_to_myself()
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "GW.ours.test.").AddMx("example.test", 20, "backup.example.test").AddA("backup.example.test", "192.0.2.3");

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.PermanentFailure, decision.Failure!.Kind);
        Assert.Equal("554 5.4.6 mail for example.test loops back to myself", decision.Failure.Diagnostic);
    }

    [Fact]
    public async Task Only_mx_hosts_better_than_ourselves_are_used()
    {
        var dns = new InMemoryDnsResolver()
            .AddMx("example.test", 10, "primary.example.test").AddMx("example.test", 20, "gw.ours.test").AddMx("example.test", 30, "worse.example.test")
            .AddA("primary.example.test", "192.0.2.1").AddA("worse.example.test", "192.0.2.3");

        var decision = await Router(dns).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(["primary.example.test"], decision.Hops.Select(h => h.Host));
    }

    [Fact]
    public async Task Next_hop_on_our_listener_loops_back_to_myself()
    {
        var dns = new InMemoryDnsResolver().AddMx("example.test", 10, "mx.example.test").AddA("mx.example.test", "127.0.0.1");
        var options = new DeliveryOptions { HostName = "gw.ours.test", Port = 2525, ListenerEndPoints = [new IPEndPoint(IPAddress.Loopback, 2525)] };

        var decision = await Router(dns, options).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal("554 5.4.6 mail for example.test loops back to myself", decision.Failure!.Diagnostic);
    }

    [Theory]
    [InlineData("0.0.0.0", "192.0.2.99", true)]
    [InlineData("0.0.0.0", "127.0.0.5", true)]
    [InlineData("::", "192.0.2.99", true)]
    [InlineData("0.0.0.0", "192.0.2.98", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    public void Wildcard_listeners_cover_every_local_address(string listener, string candidate, bool ours)
    {
        var options = new DeliveryOptions { HostName = "gw.ours.test", ListenerEndPoints = [new IPEndPoint(IPAddress.Parse(listener), 25)] };
        var router = Router(new InMemoryDnsResolver(), options);

        Assert.Equal(ours, router.IsOurselves(IPAddress.Parse(candidate), 25));
        Assert.False(router.IsOurselves(IPAddress.Parse(candidate), 26));
    }

    [Theory]
    [InlineData(true, TlsLevel.Dane)]
    [InlineData(false, TlsLevel.May)]
    public async Task A_domain_without_mx_gets_dane_only_when_its_own_records_are_signed(bool zoneSigned, TlsLevel expected)
    {
        // RFC 7672 2.2.2: the implicit MX is the domain itself; its authenticated address records stand in for the MX.
        var dns = new InMemoryDnsResolver()
            .AddA("nomx.example.test", "192.0.2.20")
            .AddTlsa("_2525._tcp.nomx.example.test", new TlsaRecord(3, 1, 1, new byte[32]));
        if (zoneSigned)
        {
            dns.SetSigned("example.test");
        }

        var decision = await Router(dns).RouteAsync("nomx.example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(expected, Assert.Single(decision.Hops).Tls.Level);
    }

    [Fact]
    public async Task Smarthost_takes_all_outbound_mail_without_an_mx_lookup()
    {
        var dns = new InMemoryDnsResolver().AddA("relay.ours.test", "192.0.2.50");
        var options = new DeliveryOptions { HostName = "gw.ours.test", Smarthost = new RouteHost("relay.ours.test", 587, 0, RequireTls: true) };

        var decision = await Router(dns, options).RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal("smarthost", decision.Destination);
        var hop = Assert.Single(decision.Hops);
        Assert.Equal(("relay.ours.test", IPAddress.Parse("192.0.2.50"), 587, TlsLevel.Verify), (hop.Host, hop.Address, hop.Port, hop.Tls.Level));
        Assert.True(hop.RequireTls);
        Assert.Equal(0, dns.QueryCount("example.test"));
    }

    [Fact]
    public async Task An_outbound_route_goes_before_the_smarthost_and_the_mx_its_own_name_before_a_parent_key()
    {
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            ["partner.test"] = [new RouteHost("192.0.2.70", 2525, 0, false) { Tls = new TlsPolicyEntry(TlsLevel.Verify, ["mx.partner.test"]) }],
            [".partner.test"] = [new RouteHost("relay.partner.test", 25, 0, false)],
        };
        var dns = new InMemoryDnsResolver()
            .AddA("relay.partner.test", "192.0.2.71").AddA("relay.ours.test", "192.0.2.50")
            .AddMx("partner.test", 10, "mx.partner.test").AddA("mx.partner.test", "192.0.2.99");
        var tls = new TlsPolicyTable([KeyValuePair.Create("relay.partner.test", new TlsPolicyEntry(TlsLevel.Encrypt))], TlsPolicyEntry.Default);
        var options = new DeliveryOptions
        {
            HostName = "gw.ours.test",
            Smarthost = new RouteHost("relay.ours.test", 587, 0, false),
            OutboundRoutes = routes,
            TlsPolicies = tls,
        };
        var router = Router(dns, options);

        var exact = await router.RouteAsync("Partner.test", MailDirection.Outbound, CancellationToken.None, ignoreTlsPolicy: true);
        var deep = await router.RouteAsync("eu.mail.partner.test", MailDirection.Outbound, CancellationToken.None);
        var other = await router.RouteAsync("example.test", MailDirection.Outbound, CancellationToken.None);
        var literal = await router.RouteAsync("[192.0.2.1]", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal("transport:partner.test", exact.Destination);
        var hop = Assert.Single(exact.Hops);
        Assert.Equal((IPAddress.Parse("192.0.2.70"), 2525, TlsLevel.Verify), (hop.Address, hop.Port, hop.Tls.Level));
        Assert.Equal(["mx.partner.test"], hop.Tls.VerifyNames);
        Assert.Equal(0, dns.QueryCount("partner.test"));
        Assert.Equal("transport:.partner.test", deep.Destination);
        Assert.Equal(("relay.partner.test", TlsLevel.Encrypt), (Assert.Single(deep.Hops).Host, deep.Hops[0].Tls.Level));
        Assert.Equal("smarthost", other.Destination);
        Assert.Equal("smarthost", literal.Destination);
    }

    [Fact]
    public async Task A_parent_key_does_not_take_the_parent_itself_nor_inbound_mail()
    {
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            [".partner.test"] = [new RouteHost("192.0.2.71", 25, 0, false)],
        };
        var dns = new InMemoryDnsResolver().AddMx("partner.test", 10, "mx.partner.test").AddA("mx.partner.test", "192.0.2.99");
        var router = Router(dns, new DeliveryOptions { HostName = "gw.ours.test", OutboundRoutes = routes });

        var parent = await router.RouteAsync("partner.test", MailDirection.Outbound, CancellationToken.None);
        var inbound = await router.RouteAsync("sub.partner.test", MailDirection.Inbound, CancellationToken.None);

        Assert.Equal("mx:partner.test", parent.Destination);
        Assert.Equal("route:sub.partner.test", inbound.Destination);
        Assert.NotNull(inbound.Failure);
    }

    [Fact]
    public async Task Inbound_mail_follows_the_route_of_its_domain_then_the_wildcard()
    {
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase)
        {
            ["ours.test"] = [new RouteHost("10.0.0.6", 2526, 20, false), new RouteHost("10.0.0.5", 25, 10, false)],
            ["*"] = [new RouteHost("[2001:db8::25]", 25, 0, false)],
        };
        var options = new DeliveryOptions { HostName = "gw.ours.test", Routes = routes };
        var router = Router(new InMemoryDnsResolver(), options);

        var own = await router.RouteAsync("OURS.test", MailDirection.Inbound, CancellationToken.None);
        var other = await router.RouteAsync("other.ours.test", MailDirection.Inbound, CancellationToken.None);

        Assert.Equal("route:ours.test", own.Destination);
        Assert.Equal(["10.0.0.5:25", "10.0.0.6:2526"], own.Hops.Select(h => $"{h.Address}:{h.Port}"));
        Assert.Equal("route:*", other.Destination);
        Assert.Equal(IPAddress.Parse("2001:db8::25"), Assert.Single(other.Hops).Address);
    }

    [Fact]
    public async Task Inbound_domain_without_route_is_deferred()
    {
        var decision = await Router(new InMemoryDnsResolver()).RouteAsync("ours.test", MailDirection.Inbound, CancellationToken.None);

        Assert.Equal(OutcomeKind.TransientFailure, decision.Failure!.Kind);
        Assert.Equal("451 4.4.0 no route for ours.test", decision.Failure.Diagnostic);
    }

    [Fact]
    public async Task Route_host_names_are_resolved()
    {
        var routes = new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase) { ["ours.test"] = [new RouteHost("mailstore.internal", 25, 0, true)] };
        var dns = new InMemoryDnsResolver().AddA("mailstore.internal", "10.1.1.1");

        var decision = await Router(dns, new DeliveryOptions { HostName = "gw.ours.test", Routes = routes }).RouteAsync("ours.test", MailDirection.Inbound, CancellationToken.None);

        var hop = Assert.Single(decision.Hops);
        Assert.Equal(("mailstore.internal", IPAddress.Parse("10.1.1.1"), 25, TlsLevel.Verify), (hop.Host, hop.Address, hop.Port, hop.Tls.Level));
        Assert.Equal(["mailstore.internal"], hop.Tls.VerifyNames);
    }

    [Fact]
    public async Task Address_literal_is_delivered_directly()
    {
        var decision = await Router(new InMemoryDnsResolver()).RouteAsync("[IPv6:2001:db8::7]", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(IPAddress.Parse("2001:db8::7"), Assert.Single(decision.Hops).Address);
    }

    [Fact]
    public async Task Address_literal_goes_to_the_smarthost_when_one_is_set()
    {
        var dns = new InMemoryDnsResolver().AddA("relay.ours.test", "192.0.2.50");
        var options = new DeliveryOptions { HostName = "gw.ours.test", Smarthost = new RouteHost("relay.ours.test", 587, 0, false) };

        var decision = await Router(dns, options).RouteAsync("[192.0.2.1]", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal("smarthost", decision.Destination);
        var hop = Assert.Single(decision.Hops);
        Assert.Equal(("relay.ours.test", IPAddress.Parse("192.0.2.50"), 587, TlsLevel.May), (hop.Host, hop.Address, hop.Port, hop.Tls.Level));
        Assert.False(hop.RequireTls);
    }

    [Fact]
    public async Task Addresses_per_destination_are_capped()
    {
        var dns = new InMemoryDnsResolver();
        for (var i = 0; i < 30; i++)
        {
            dns.AddMx("big.test", i, $"mx{i}.big.test").AddA($"mx{i}.big.test", $"192.0.2.{i + 1}");
        }

        var decision = await Router(dns, new DeliveryOptions { HostName = "gw.ours.test", MaxAddressesPerDestination = 4 }).RouteAsync("big.test", MailDirection.Outbound, CancellationToken.None);

        Assert.Equal(["mx0.big.test", "mx1.big.test", "mx2.big.test", "mx3.big.test"], decision.Hops.Select(h => h.Host));
    }
}
