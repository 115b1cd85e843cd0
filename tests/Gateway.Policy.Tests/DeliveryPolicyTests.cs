using System.Net;

namespace Gateway.Policy.Tests;

public sealed class DeliveryPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus two domains (line 5); appended sections start at line 6.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test, other.test]\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>"delivery:" at line 6, <paramref name="body"/> from line 7.</summary>
    private static string Delivery(string body) => Base + "delivery:\n" + body;

    /// <summary>"dns:" at line 6, <paramref name="body"/> from line 7.</summary>
    private static string Dns(string body) => Base + "dns:\n" + body;

    private GatewayPolicy Valid(string text)
    {
        var result = _files.Load(text);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!;
    }

    private void AssertError(string text, int line, int column, string messagePart, string prefix = "")
    {
        var result = _files.Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("gateway.yaml"), error.File);
        Assert.True(line == error.Line && column == error.Column, $"expected {line}:{column}, got {error}");
        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    private static int ValueColumn(string line, int indent) => indent + line.IndexOf(':', StringComparison.Ordinal) + 2;

    // ---- defaults and full reads ----

    [Fact]
    public void Minimal_policy_gets_the_documented_delivery_and_dns_defaults()
    {
        var policy = Valid(PolicyFiles.Minimal);

        AssertDefaults(policy);
    }

    [Fact]
    public void Shipped_default_policy_has_the_defaults_and_no_routes()
    {
        var result = PolicyLoader.Load(Path.Combine(PolicyFiles.RepositoryRoot(), "policies", "gateway.yaml"));

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        AssertDefaults(result.Policy!);
    }

    private static void AssertDefaults(GatewayPolicy policy)
    {
        var d = policy.Delivery;
        Assert.Equal(25, d.Port);
        Assert.Null(d.Smarthost);
        Assert.Empty(d.Routes);
        Assert.Equal(100, d.Concurrency);
        Assert.Equal(20, d.ConcurrencyPerDestination);
        Assert.Equal(TimeSpan.FromSeconds(30), d.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), d.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), d.Retry.First);
        Assert.Equal(TimeSpan.FromHours(1), d.Retry.Max);
        Assert.Equal(2, d.Retry.Factor);
        Assert.Equal(TimeSpan.FromHours(6), d.DelayNoticeAfter);
        Assert.Equal(TimeSpan.FromDays(2), d.BounceAfter);
        Assert.Equal(50, d.MaxReceivedHeaders);
        Assert.Empty(policy.Dns.Servers);
        Assert.Equal(TimeSpan.FromSeconds(5), policy.Dns.Timeout);
        Assert.Equal(DnssecMode.Off, policy.Dns.Dnssec);
    }

    /// <summary>The shipped policy with the example under <paramref name="emptyLine"/> uncommented in its place.</summary>
    private GatewayPolicy ShippedWithExample(string emptyLine, int minimumLines)
    {
        // Uncommented, the example is read as policy, so the documentation cannot drift from the schema.
        var lines = File.ReadAllLines(Path.Combine(PolicyFiles.RepositoryRoot(), "policies", "gateway.yaml")).ToList();
        var at = lines.FindIndex(l => l.StartsWith(emptyLine, StringComparison.Ordinal));
        Assert.True(at >= 0);
        lines.RemoveAt(at);
        var uncommented = 0;
        while (lines[at + uncommented].StartsWith("  # ", StringComparison.Ordinal))
        {
            lines[at + uncommented] = "  " + lines[at + uncommented][4..];
            uncommented++;
        }

        Assert.True(uncommented >= minimumLines);
        return Valid(string.Join('\n', lines));
    }

    [Fact]
    public void Commented_outbound_route_example_in_the_shipped_policy_is_valid()
    {
        var p = ShippedWithExample("  outbound_routes: {}", 5);

        Assert.Equal(["partner.example", ".partner.example"], p.Delivery.OutboundRoutes.Keys);
        var tls = Assert.Single(p.Delivery.OutboundRoutes["partner.example"]).Tls!;
        Assert.Equal((Gateway.Transport.TlsLevel.Verify, "mx.partner.example"), (tls.Level, Assert.Single(tls.Match)));
    }

    [Fact]
    public void Commented_route_example_in_the_shipped_policy_is_valid()
    {
        var p = ShippedWithExample("  routes: {}", 6);

        Assert.Equal([new RouteHostPolicy { Host = "10.0.0.5", Port = 25, Preference = 10, Tls = new DestinationTlsSetting { Level = Gateway.Transport.TlsLevel.May } }], p.Delivery.Routes["example.test"]);
        Assert.Equal([new RouteHostPolicy { Host = "mail.internal.example.test" }], p.Delivery.Routes["*"]);
    }

    [Fact]
    public void Full_delivery_and_dns_sections_read_every_key()
    {
        var p = Valid(Base + """
            delivery:
              port: 2526
              smarthost: "[2001:DB8::25]:587"
              routes:
                Example.TEST:
                  - host: 10.0.0.5
                    port: 2525
                    preference: 5
                    require_tls: true
                  - host: Mail2.Internal.Example.TEST
                "*":
                  - host: "::1"
              concurrency: 10
              concurrency_per_destination: 3
              connect_timeout: 10s
              command_timeout: 2m
              retry:
                first: 1m
                max: 2h
                factor: 3
              delay_notice_after: 30m
              bounce_after: 5d
              max_received_headers: 100
            dns:
              servers: [192.0.2.53, "192.0.2.54:5353", "[2001:db8::53]:5300", "[2001:db8::54]"]
              timeout: 1500ms
            """);

        var d = p.Delivery;
        Assert.Equal(2526, d.Port);
        Assert.Equal(new HostEndpoint("2001:db8::25", 587), d.Smarthost);
        Assert.Equal(["*", "example.test"], d.Routes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                new RouteHostPolicy { Host = "10.0.0.5", Port = 2525, Preference = 5, Tls = new DestinationTlsSetting { Level = Gateway.Transport.TlsLevel.Verify } },
                new RouteHostPolicy { Host = "mail2.internal.example.test", Port = 25, Preference = 10 },
            ],
            d.Routes["example.test"]);
        Assert.Equal([new RouteHostPolicy { Host = "::1" }], d.Routes["*"]);
        Assert.Equal(10, d.Concurrency);
        Assert.Equal(3, d.ConcurrencyPerDestination);
        Assert.Equal(TimeSpan.FromSeconds(10), d.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), d.CommandTimeout);
        Assert.Equal(new RetryPolicy { First = TimeSpan.FromMinutes(1), Max = TimeSpan.FromHours(2), Factor = 3 }, d.Retry);
        Assert.Equal(TimeSpan.FromMinutes(30), d.DelayNoticeAfter);
        Assert.Equal(TimeSpan.FromDays(5), d.BounceAfter);
        Assert.Equal(100, d.MaxReceivedHeaders);
        Assert.Equal(
            [
                new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53),
                new IPEndPoint(IPAddress.Parse("192.0.2.54"), 5353),
                new IPEndPoint(IPAddress.Parse("2001:db8::53"), 5300),
                new IPEndPoint(IPAddress.Parse("2001:db8::54"), 53),
            ],
            p.Dns.Servers);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), p.Dns.Timeout);
    }

    [Fact]
    public void Range_limits_are_inclusive()
    {
        var d = Valid(Delivery("""
              port: 65535
              concurrency: 10000
              concurrency_per_destination: 1000
              connect_timeout: 1s
              command_timeout: 1h
              retry:
                first: 1s
                max: 1d
                factor: 10
              delay_notice_after: 1m
              bounce_after: 30d
              max_received_headers: 500
            dns:
              timeout: 100ms
            """));

        Assert.Equal((65535, 10000, 1000), (d.Delivery.Port, d.Delivery.Concurrency, d.Delivery.ConcurrencyPerDestination));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)), (d.Delivery.ConnectTimeout, d.Delivery.CommandTimeout));
        Assert.Equal(new RetryPolicy { First = TimeSpan.FromSeconds(1), Max = TimeSpan.FromDays(1), Factor = 10 }, d.Delivery.Retry);
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)), (d.Delivery.DelayNoticeAfter, d.Delivery.BounceAfter));
        Assert.Equal(500, d.Delivery.MaxReceivedHeaders);
        Assert.Equal(TimeSpan.FromMilliseconds(100), d.Dns.Timeout);

        var low = Valid(Delivery("""
              port: 1
              concurrency: 1
              concurrency_per_destination: 1
              retry:
                factor: 1
              delay_notice_after: 59m
              bounce_after: 1h
              max_received_headers: 10
            dns:
              timeout: 30s
            """));

        Assert.Equal((1, 1, 1, 1, 10), (low.Delivery.Port, low.Delivery.Concurrency, low.Delivery.ConcurrencyPerDestination, low.Delivery.Retry.Factor, low.Delivery.MaxReceivedHeaders));
        Assert.Equal((TimeSpan.FromMinutes(59), TimeSpan.FromHours(1)), (low.Delivery.DelayNoticeAfter, low.Delivery.BounceAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), low.Dns.Timeout);
    }

    [Fact]
    public void Null_values_mean_the_default()
    {
        var p = Valid(Delivery("""
              port: ~
              smarthost: null
              routes:
              retry:
              bounce_after: null
            dns:
              servers: null
              timeout:
            """));

        AssertDefaults(p);
    }

    [Fact]
    public void Empty_sections_are_allowed()
        => AssertDefaults(Valid(Base + "delivery: {}\ndns: {}\n"));

    // ---- scalar keys ----

    [Theory]
    [InlineData("port: 0", "delivery.port: 0 is out of range 1..65535")]
    [InlineData("port: 65536", "out of range 1..65535")]
    [InlineData("port: \"25\"", "expected an integer, found the string \"25\"")]
    [InlineData("port: [25]", "delivery.port: expected an integer, found a sequence")]
    [InlineData("concurrency: 0", "delivery.concurrency: 0 is out of range 1..10000")]
    [InlineData("concurrency: 10001", "out of range 1..10000")]
    [InlineData("concurrency: 1e3", "expected an integer, found '1e3'")]
    [InlineData("concurrency_per_destination: 0", "delivery.concurrency_per_destination: 0 is out of range 1..1000")]
    [InlineData("concurrency_per_destination: 1001", "out of range 1..1000")]
    [InlineData("connect_timeout: 0s", "delivery.connect_timeout: 0s is out of range 1s..1h")]
    [InlineData("connect_timeout: 61m", "out of range 1s..1h")]
    [InlineData("connect_timeout: 30", "has no unit")]
    [InlineData("command_timeout: 999ms", "delivery.command_timeout: 999ms is out of range 1s..1h")]
    [InlineData("command_timeout: 5 m", "unknown unit ' m'")]
    [InlineData("delay_notice_after: 59s", "delivery.delay_notice_after: 59s is out of range 1m..30d")]
    [InlineData("delay_notice_after: 31d", "out of range 1m..30d")]
    [InlineData("bounce_after: 59m", "delivery.bounce_after: 59m is out of range 1h..30d")]
    [InlineData("bounce_after: 31d", "out of range 1h..30d")]
    [InlineData("bounce_after: 2w", "unknown unit 'w'")]
    [InlineData("max_received_headers: 9", "delivery.max_received_headers: 9 is out of range 10..500")]
    [InlineData("max_received_headers: 501", "out of range 10..500")]
    [InlineData("max_received_headers: fifty", "expected an integer, found 'fifty'")]
    [InlineData("smarthost: [a, b]", "delivery.smarthost: expected a string, found a sequence")]
    [InlineData("routes: [a]", "delivery.routes: expected a mapping of domain to hosts, found a sequence")]
    [InlineData("routes: example.test", "delivery.routes: expected a mapping of domain to hosts, found 'example.test'")]
    [InlineData("retry: 5m", "delivery.retry: expected a mapping, found '5m'")]
    public void Delivery_errors_point_at_the_value(string line, string messagePart)
        => AssertError(Delivery("  " + line + "\n"), 7, ValueColumn(line, 3), messagePart);

    [Theory]
    [InlineData("first: 0s", "delivery.retry.first: 0s is out of range 1s..1d")]
    [InlineData("first: 25h", "out of range 1s..1d")]
    [InlineData("max: 999ms", "delivery.retry.max: 999ms is out of range 1s..1d")]
    [InlineData("max: 2d", "out of range 1s..1d")]
    [InlineData("factor: 0", "delivery.retry.factor: 0 is out of range 1..10")]
    [InlineData("factor: 11", "out of range 1..10")]
    [InlineData("factor: 1.5", "delivery.retry.factor: expected an integer, found '1.5'")]
    [InlineData("factor: \"2\"", "expected an integer, found the string \"2\"")]
    public void Retry_errors_point_at_the_value(string line, string messagePart)
        => AssertError(Delivery("  retry:\n    " + line + "\n"), 8, ValueColumn(line, 5), messagePart);

    [Fact]
    public void Delivery_given_a_scalar_is_a_type_error()
        => AssertError(Base + "delivery: yes\n", 6, 11, "delivery: expected a mapping, found 'yes'");

    [Fact]
    public void Unknown_top_level_key_suggests_delivery()
        => AssertError(Base + "delivry:\n  port: 25\n", 6, 1, "unknown key 'delivry' at the top level; did you mean 'delivery'?");

    [Fact]
    public void Unknown_delivery_key_suggests_the_closest()
        => AssertError(Delivery("  concurency: 5\n"), 7, 3, "unknown key 'concurency' in delivery; did you mean 'concurrency'?");

    [Fact]
    public void Unknown_retry_key_suggests_the_closest()
        => AssertError(Delivery("  retry:\n    fist: 1m\n"), 8, 5, "unknown key 'fist' in delivery.retry; did you mean 'first'?");

    [Fact]
    public void Duplicate_delivery_key_is_reported_at_the_second()
        => AssertError(Delivery("  port: 25\n  port: 26\n"), 8, 3, "duplicate key 'port' (first defined at line 7, column 3)");

    // ---- cross-key rules ----

    [Fact]
    public void Per_destination_above_concurrency_is_reported_at_per_destination()
        => AssertError(
            Delivery("  concurrency: 10\n  concurrency_per_destination: 50\n"),
            8,
            32,
            "delivery.concurrency_per_destination: 50 must be at most delivery.concurrency (10)");

    [Fact]
    public void Per_destination_above_the_default_concurrency_names_the_default()
        => AssertError(
            Delivery("  concurrency_per_destination: 150\n"),
            7,
            32,
            "delivery.concurrency_per_destination: 150 must be at most delivery.concurrency (100, the default)");

    [Fact]
    public void Concurrency_below_the_default_per_destination_is_reported_at_concurrency()
        => AssertError(
            Delivery("  concurrency: 10\n"),
            7,
            16,
            "delivery.concurrency: 10 must be at least delivery.concurrency_per_destination (20, the default)");

    [Fact]
    public void Per_destination_equal_to_concurrency_is_fine()
    {
        var p = Valid(Delivery("  concurrency: 5\n  concurrency_per_destination: 5\n"));

        Assert.Equal((5, 5), (p.Delivery.Concurrency, p.Delivery.ConcurrencyPerDestination));
    }

    [Fact]
    public void Retry_max_below_first_is_reported_at_max()
        => AssertError(
            Delivery("  retry:\n    first: 10m\n    max: 300s\n"),
            9,
            10,
            "delivery.retry.max: 5m must be at least delivery.retry.first (10m)");

    [Fact]
    public void Retry_first_above_the_default_max_is_reported_at_first()
        => AssertError(
            Delivery("  retry:\n    first: 2h\n"),
            8,
            12,
            "delivery.retry.first: 2h must be at most delivery.retry.max (1h, the default)");

    [Fact]
    public void Retry_max_below_the_default_first_names_the_default()
        => AssertError(
            Delivery("  retry:\n    max: 1m\n"),
            8,
            10,
            "delivery.retry.max: 1m must be at least delivery.retry.first (5m, the default)");

    [Fact]
    public void Retry_first_equal_to_max_is_a_constant_schedule()
    {
        var p = Valid(Delivery("  retry:\n    first: 1h\n    max: 60m\n    factor: 1\n"));

        Assert.Equal(new RetryPolicy { First = TimeSpan.FromHours(1), Max = TimeSpan.FromHours(1), Factor = 1 }, p.Delivery.Retry);
    }

    [Fact]
    public void Delay_notice_not_before_bounce_is_reported_at_delay_notice()
        => AssertError(
            Delivery("  delay_notice_after: 2d\n  bounce_after: 48h\n"),
            7,
            23,
            "delivery.delay_notice_after: 2d must be less than delivery.bounce_after (2d)");

    [Fact]
    public void Delay_notice_after_the_default_bounce_names_the_default()
        => AssertError(
            Delivery("  delay_notice_after: 3d\n"),
            7,
            23,
            "delivery.delay_notice_after: 3d must be less than delivery.bounce_after (2d, the default)");

    [Fact]
    public void Bounce_before_the_default_delay_notice_is_reported_at_bounce()
        => AssertError(
            Delivery("  bounce_after: 3h\n"),
            7,
            17,
            "delivery.bounce_after: 3h must be more than delivery.delay_notice_after (6h, the default)");

    [Fact]
    public void A_value_out_of_range_is_not_compared_again()
    {
        var result = _files.Load(Delivery("  concurrency: 0\n  concurrency_per_destination: 50\n  retry:\n    first: 2d\n    max: 1m\n  delay_notice_after: 40d\n  bounce_after: 1h\n"));

        Assert.Equal(
            [
                "7:16: delivery.concurrency: 0 is out of range 1..10000",
                "10:12: delivery.retry.first: 2d is out of range 1s..1d",
                "12:23: delivery.delay_notice_after: 40d is out of range 1m..30d",
            ],
            result.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}"));
    }

    // ---- smarthost ----

    [Theory]
    [InlineData("relay.example.test", "relay.example.test", 25)]
    [InlineData("Relay.Example.TEST:587", "relay.example.test", 587)]
    [InlineData("relay:2525", "relay", 2525)]
    [InlineData("bücher.example:25", "xn--bcher-kva.example", 25)]
    [InlineData("192.0.2.1", "192.0.2.1", 25)]
    [InlineData("127.0.0.1:2526", "127.0.0.1", 2526)]
    [InlineData("[2001:DB8::1]:587", "2001:db8::1", 587)]
    [InlineData("[::1]", "::1", 25)]
    [InlineData("relay.example.test:65535", "relay.example.test", 65535)]
    public void Smarthost_forms_parse(string text, string host, int port)
    {
        var p = Valid(Delivery($"  smarthost: \"{text}\"\n"));

        Assert.Equal(new HostEndpoint(host, port), p.Delivery.Smarthost);
    }

    [Fact]
    public void A_smarthost_given_as_a_mapping_carries_its_own_tls_even_by_address()
    {
        var p = Valid(Delivery("  smarthost:\n    host: 192.0.2.25\n    port: 587\n    tls: {level: verify, match: [relay.example.test]}\n"));

        Assert.Equal(new HostEndpoint("192.0.2.25", 587), p.Delivery.Smarthost);
        Assert.Equal(Gateway.Transport.TlsLevel.Verify, p.Delivery.SmarthostTls!.Level);
        Assert.Equal(["relay.example.test"], p.Delivery.SmarthostTls.Match);
        Assert.Null(Valid(Delivery("  smarthost: relay.example.test\n")).Delivery.SmarthostTls);
    }

    [Theory]
    [InlineData("  smarthost:\n    port: 587\n", 8, 5, "delivery.smarthost.host is required")]
    [InlineData("  smarthost:\n    host: relay.example.test\n    tls: dane\n", 9, 10, "delivery.smarthost.tls")]
    [InlineData("  smarthost:\n    host: relay.example.test\n    auth: yes\n", 9, 5, "auth")]
    public void A_smarthost_mapping_with_a_mistake_is_an_error_where_it_is(string body, int line, int column, string messagePart)
        => AssertError(Delivery(body), line, column, messagePart);

    [Fact]
    public void Smarthost_may_be_a_plain_scalar()
        => Assert.Equal(new HostEndpoint("relay.example.test", 587), Valid(Delivery("  smarthost: relay.example.test:587\n")).Delivery.Smarthost);

    [Theory]
    [InlineData("", "host is empty")]
    [InlineData("relay.example.test:0", "has an invalid port (1-65535)")]
    [InlineData("relay.example.test:65536", "invalid port")]
    [InlineData("relay.example.test:025", "invalid port")]
    [InlineData("relay.example.test:", "invalid port")]
    [InlineData("relay.example.test:smtp", "invalid port")]
    [InlineData(":25", "host is empty")]
    [InlineData("[192.0.2.1]:25", "brackets are only for IPv6 addresses")]
    [InlineData("[relay.example.test]:25", "brackets are only for IPv6 addresses")]
    [InlineData("[2001:db8::1", "has no closing ']'")]
    [InlineData("[2001:db8::1]587", "expected [IPv6] or [IPv6]:port")]
    [InlineData("[2001:db8::1]:", "invalid port")]
    [InlineData("[2001:db8::g]:25", "not a valid IPv6 address")]
    [InlineData("10.0.0.256:25", "above 255")]
    [InlineData("1.2.3:25", "four decimal octets")]
    [InlineData("010.0.0.1", "without leading zeros")]
    [InlineData("relay_1.example.test", "not a valid domain name")]
    [InlineData("relay.example.test.:25", "without a trailing dot")]
    [InlineData("relay example.test", "not a valid domain name")]
    [InlineData("user@relay.example.test", "not a valid domain name")]
    [InlineData("0.0.0.0:25", "is not a unicast address")]
    [InlineData("0.1.2.3", "is not a unicast address")]
    [InlineData("255.255.255.255", "is not a unicast address")]
    [InlineData("224.0.0.1:25", "is not a unicast address")]
    [InlineData("[::]:25", "is not a unicast address")]
    [InlineData("[ff02::1]:25", "is not a unicast address")]
    [InlineData("[::ffff:192.0.2.1]", "IPv4-mapped")]
    [InlineData("[fe80::1%eth0]:25", "zone indexes")]
    [InlineData("2001:db8::1", "write IPv6 addresses in brackets, [address] or [address]:port")]
    [InlineData("2001:db8::1:587", "write IPv6 addresses in brackets")]
    public void Bad_smarthost_is_reported_at_the_value(string text, string messagePart)
    {
        var error = Assert.Single(_files.Load(Delivery($"  smarthost: \"{text}\"\n")).Errors);

        Assert.Equal((7, 14), (error.Line, error.Column));
        Assert.StartsWith("delivery.smarthost: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_endpoint_formats_and_knows_its_address()
    {
        Assert.Equal("relay.example.test:587", new HostEndpoint("relay.example.test", 587).ToString());
        Assert.Equal("[2001:db8::1]:25", new HostEndpoint("2001:db8::1", 25).ToString());
        Assert.Equal("192.0.2.1:25", new HostEndpoint("192.0.2.1", 25).ToString());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), new HostEndpoint("192.0.2.1", 25).Address);
        Assert.Equal(IPAddress.IPv6Loopback, new HostEndpoint("::1", 25).Address);
        Assert.Null(new HostEndpoint("relay.example.test", 25).Address);

        // IPAddress.TryParse would read this valid host name as 10.0.0.0.
        Assert.Null(new HostEndpoint("0x0a", 25).Address);
        Assert.Null(new RouteHostPolicy { Host = "0x0a" }.Address);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), new RouteHostPolicy { Host = "10.0.0.5" }.Address);
    }

    // ---- routes ----

    [Fact]
    public void Route_hosts_get_defaults_and_canonical_names()
    {
        var p = Valid(Delivery("""
              routes:
                other.test:
                  - host: MX.Internal.TEST
                  - host: 2001:DB8::5
                    preference: 0
                  - host: 192.0.2.5
                    port: 2525
                    preference: 65535
                    require_tls: false
            """));

        Assert.Equal(
            [
                new RouteHostPolicy { Host = "mx.internal.test", Port = 25, Preference = 10 },
                new RouteHostPolicy { Host = "2001:db8::5", Port = 25, Preference = 0 },
                new RouteHostPolicy { Host = "192.0.2.5", Port = 2525, Preference = 65535 },
            ],
            Assert.Single(p.Delivery.Routes, r => r.Key == "other.test").Value);
        Assert.Null(p.Delivery.Routes["other.test"][0].Address);
        Assert.Equal(IPAddress.Parse("2001:db8::5"), p.Delivery.Routes["other.test"][1].Address);
    }

    // ---- outbound routes ----

    [Fact]
    public void Outbound_routes_take_other_domains_and_dot_keys_for_their_subdomains()
    {
        var p = Valid(Delivery("""
              outbound_routes:
                Partner.Example:
                  - host: 192.0.2.7
                    port: 2525
                    tls: verify
                .partner.example:
                  - host: relay.partner.example
            """));

        Assert.Equal(["partner.example", ".partner.example"], p.Delivery.OutboundRoutes.Keys);
        var exact = Assert.Single(p.Delivery.OutboundRoutes["partner.example"]);
        Assert.Equal(("192.0.2.7", 2525, Gateway.Transport.TlsLevel.Verify), (exact.Host, exact.Port, exact.Tls!.Level));
        Assert.Equal("relay.partner.example", Assert.Single(p.Delivery.OutboundRoutes[".partner.example"]).Host);
        Assert.Empty(Valid(Base).Delivery.OutboundRoutes);
    }

    [Theory]
    [InlineData("\"*\"", 3, "all outbound mail to one host is delivery.smarthost")]
    [InlineData("other.test", 3, "'other.test' is one of our domains; its mail is inbound and goes by delivery.routes")]
    [InlineData("bad..example", 3, "a key is a domain, or .domain for the names under it")]
    public void An_outbound_route_key_that_could_never_be_used_is_an_error_at_the_key(string key, int column, string message)
    {
        AssertError(Delivery($"  outbound_routes:\n    {key}:\n      - host: 192.0.2.7\n"), 8, column + 2, message, "delivery.outbound_routes: ");
    }

    [Fact]
    public void An_outbound_route_given_twice_in_two_spellings_is_an_error_at_the_second()
    {
        AssertError(Delivery("  outbound_routes:\n    partner.example:\n      - host: 192.0.2.7\n    PARTNER.example:\n      - host: 192.0.2.8\n"),
            10, 5, "the route for 'partner.example' is already defined (first at line 8, column 5)");
    }

    [Fact]
    public void Idn_route_key_matches_its_a_label_domain()
    {
        var p = Valid(PolicyFiles.Minimal + "domains: [xn--bcher-kva.example]\ndelivery:\n  routes:\n    Bücher.example:\n      - host: 10.0.0.5\n");

        Assert.Equal(["xn--bcher-kva.example"], p.Delivery.Routes.Keys);
    }

    [Fact]
    public void Same_host_with_another_port_or_in_another_route_is_fine()
    {
        var p = Valid(Delivery("""
              routes:
                example.test:
                  - host: 10.0.0.5
                  - host: 10.0.0.5
                    port: 2525
                other.test:
                  - host: 10.0.0.5
            """));

        Assert.Equal(2, p.Delivery.Routes["example.test"].Count);
        Assert.Single(p.Delivery.Routes["other.test"]);
    }

    [Fact]
    public void Wildcard_route_works_without_domains()
    {
        var p = Valid(PolicyFiles.Minimal + "delivery:\n  routes:\n    \"*\":\n      - host: 127.0.0.1\n        port: 2526\n");

        Assert.Equal([new RouteHostPolicy { Host = "127.0.0.1", Port = 2526 }], p.Delivery.Routes["*"]);
    }

    [Fact]
    public void Route_for_a_domain_that_is_not_ours_is_an_error_at_the_key()
        => AssertError(
            Delivery("  routes:\n    exampel.test:\n      - host: 10.0.0.5\n"),
            8,
            5,
            "delivery.routes: 'exampel.test' is not one of our domains (domains: example.test, other.test); routes are for inbound mail; did you mean 'example.test'?");

    [Fact]
    public void Route_for_a_subdomain_of_ours_is_an_error()
        => AssertError(Delivery("  routes:\n    sub.example.test:\n      - host: 10.0.0.5\n"), 8, 5, "'sub.example.test' is not one of our domains");

    [Fact]
    public void Route_without_any_domains_says_domains_is_empty()
        => AssertError(
            PolicyFiles.Minimal + "delivery:\n  routes:\n    example.test:\n      - host: 10.0.0.5\n",
            7,
            5,
            "'example.test' is not one of our domains (domains is empty); routes are for inbound mail");

    [Fact]
    public void Route_membership_is_not_checked_when_domains_had_errors()
        => AssertError(
            PolicyFiles.Minimal + "domains: [example.test.]\ndelivery:\n  routes:\n    example.test:\n      - host: 10.0.0.5\n",
            5,
            11,
            "without a trailing dot");

    [Theory]
    [InlineData("bad_domain.test", "'bad_domain.test' is not a valid domain name")]
    [InlineData("example.test.", "without a trailing dot")]
    [InlineData("\"[192.0.2.1]\"", "is not a valid domain name")]
    [InlineData("\"**\"", "is not a valid domain name")]
    [InlineData("\"\"", "domain name is empty")]
    public void Invalid_route_key_is_an_error_at_the_key(string key, string messagePart)
    {
        var error = Assert.Single(_files.Load(Delivery($"  routes:\n    {key}:\n      - host: 10.0.0.5\n")).Errors);

        Assert.Equal((8, 5), (error.Line, error.Column));
        Assert.StartsWith("delivery.routes: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.EndsWith("a route key is one of domains or \"*\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unquoted_star_key_is_refused_at_the_key()
        => AssertError(Delivery("  routes:\n    *:\n      - host: 10.0.0.5\n"), 8, 5, "YAML syntax error: a bare * starts an alias; quote the key: \"*\"");

    [Fact]
    public void Bare_star_in_a_comment_does_not_change_other_syntax_errors()
    {
        var error = Assert.Single(_files.Load(Delivery("  # routes:\n  #   *: x\n  port: [25\n")).Errors);

        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bare *", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_spellings_of_one_route_domain_are_refused_at_the_second()
        => AssertError(
            Delivery("  routes:\n    example.test:\n      - host: 10.0.0.5\n    EXAMPLE.test:\n      - host: 10.0.0.6\n"),
            10,
            5,
            "delivery.routes: the route for 'example.test' is already defined (first at line 8, column 5)");

    [Fact]
    public void Route_with_no_hosts_is_an_error_at_the_list()
        => AssertError(Delivery("  routes:\n    example.test: []\n"), 8, 19, "delivery.routes.example.test: a route needs at least one host");

    [Fact]
    public void Null_route_is_an_error()
        => AssertError(Delivery("  routes:\n    example.test:\n"), 8, 18, "delivery.routes.example.test: expected a sequence, found null");

    [Fact]
    public void Route_given_a_single_mapping_is_a_type_error()
        => AssertError(Delivery("  routes:\n    example.test:\n      host: 10.0.0.5\n"), 9, 7, "delivery.routes.example.test: expected a sequence, found a mapping");

    [Fact]
    public void Route_item_given_a_scalar_is_a_type_error()
        => AssertError(Delivery("  routes:\n    example.test:\n      - 10.0.0.5\n"), 9, 9, "delivery.routes.example.test[0]: expected a mapping, found '10.0.0.5'");

    [Fact]
    public void Route_host_is_required()
        => AssertError(Delivery("  routes:\n    example.test:\n      - port: 25\n"), 9, 9, "delivery.routes.example.test[0].host is required");

    [Fact]
    public void Unknown_route_host_key_suggests_the_closest()
        => AssertError(
            Delivery("  routes:\n    \"*\":\n      - host: 10.0.0.5\n        prefernce: 5\n"),
            10,
            9,
            "unknown key 'prefernce' in delivery.routes.*[0]; did you mean 'preference'?");

    [Theory]
    [InlineData("host: \"\"", "host is empty")]
    [InlineData("host: 10.0.0.256", "above 255")]
    [InlineData("host: 10.0.0", "four decimal octets")]
    [InlineData("host: \"[::1]\"", "write the address without brackets")]
    [InlineData("host: 10.0.0.5:25", "looks like host:port; give the host alone")]
    [InlineData("host: mx.internal.test:2525", "looks like host:port")]
    [InlineData("host: mail_1.internal.test", "not a valid domain name")]
    [InlineData("host: 0.0.0.0", "is not a unicast address")]
    [InlineData("host: 239.1.2.3", "is not a unicast address")]
    [InlineData("host: \"ff02::1\"", "is not a unicast address")]
    [InlineData("host: \"::\"", "is not a unicast address")]
    [InlineData("host: \"fe80::1%eth0\"", "zone indexes")]
    [InlineData("host: [10.0.0.5]", "host: expected a string, found a sequence")]
    [InlineData("port: 0", "port: 0 is out of range 1..65535")]
    [InlineData("port: 65536", "out of range 1..65535")]
    [InlineData("port: \"25\"", "expected an integer")]
    [InlineData("preference: -1", "preference: -1 is out of range 0..65535")]
    [InlineData("preference: 65536", "out of range 0..65535")]
    [InlineData("require_tls: yes", "require_tls: expected true or false, found 'yes'")]
    public void Route_host_errors_point_at_the_value(string line, string messagePart)
    {
        var text = line.StartsWith("host:", StringComparison.Ordinal)
            ? Delivery($"  routes:\n    example.test:\n      - {line}\n")
            : Delivery($"  routes:\n    example.test:\n      - {line}\n        host: 10.0.0.5\n");

        AssertError(text, 9, ValueColumn(line, 9), messagePart, prefix: "delivery.routes.example.test[0]." + line[..line.IndexOf(':', StringComparison.Ordinal)]);
    }

    [Fact]
    public void Duplicate_route_host_is_reported_at_the_second()
        => AssertError(
            Delivery("  routes:\n    example.test:\n      - host: MX.internal.test\n      - host: mx.internal.test\n        port: 25\n"),
            10,
            15,
            "delivery.routes.example.test[1].host: mx.internal.test:25 is already listed in this route (line 9, column 15)");

    [Fact]
    public void Duplicate_ipv6_route_host_is_written_with_brackets()
        => AssertError(
            Delivery("  routes:\n    example.test:\n      - host: \"2001:db8::5\"\n      - host: \"2001:DB8:0::5\"\n"),
            10,
            15,
            "[2001:db8::5]:25 is already listed");

    [Fact]
    public void Routes_in_an_included_file_check_the_main_files_domains()
    {
        _files.Write("conf.d/delivery.yaml", "delivery:\n  routes:\n    example.test:\n      - host: 10.0.0.5\n    nope.test:\n      - host: 10.0.0.6\n");
        var result = _files.Load("include: [conf.d/delivery.yaml]\n" + Base);

        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("conf.d/delivery.yaml"), error.File);
        Assert.Equal((5, 5), (error.Line, error.Column));
        Assert.Contains("'nope.test' is not one of our domains", error.Message, StringComparison.Ordinal);
    }

    // ---- dns ----

    [Theory]
    [InlineData("192.0.2.53", "192.0.2.53", 53)]
    [InlineData("192.0.2.53:5353", "192.0.2.53", 5353)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1)]
    [InlineData("[2001:DB8::53]", "2001:db8::53", 53)]
    [InlineData("[2001:db8::53]", "2001:db8::53", 53)]
    [InlineData("[::1]:65535", "::1", 65535)]
    public void Dns_server_forms_parse(string text, string address, int port)
    {
        var p = Valid(Dns($"  servers: [\"{text}\"]\n"));

        Assert.Equal([new IPEndPoint(IPAddress.Parse(address), port)], p.Dns.Servers);
    }

    [Theory]
    [InlineData("dns.example.test", "'dns.example.test' is not an IP address; expected ip, ip:port or [ipv6]:port")]
    [InlineData("dns.example.test:53", "is not an IP address")]
    [InlineData("", "is not an IP address")]
    [InlineData("192.0.2.53:0", "has an invalid port (1-65535)")]
    [InlineData("192.0.2.53:65536", "invalid port")]
    [InlineData("192.0.2.53:053", "invalid port")]
    [InlineData("[192.0.2.53]:53", "brackets are only for IPv6 addresses")]
    [InlineData("[2001:db8::53]53", "expected [IPv6] or [IPv6]:port")]
    [InlineData("192.0.2.256", "above 255")]
    [InlineData("0.0.0.0", "is not a unicast address")]
    [InlineData("224.0.0.251:5353", "is not a unicast address")]
    [InlineData("[ff02::fb]", "is not a unicast address")]
    [InlineData("[::ffff:192.0.2.53]", "IPv4-mapped")]
    [InlineData("[fe80::1%eth0]", "zone indexes")]
    [InlineData("2001:db8::53", "write IPv6 addresses in brackets")]
    [InlineData("::1:53", "write IPv6 addresses in brackets")]
    public void Bad_dns_server_is_reported_at_the_item(string text, string messagePart)
        => AssertError(Dns($"  servers:\n    - \"{text}\"\n"), 8, 7, messagePart, prefix: "dns.servers[0]: ");

    [Fact]
    public void Duplicate_dns_server_is_reported_at_the_second()
        => AssertError(
            Dns("  servers:\n    - 192.0.2.53\n    - 192.0.2.53:53\n"),
            9,
            7,
            "dns.servers[1]: 192.0.2.53:53 is listed twice (first at line 8, column 7)");

    [Fact]
    public void Same_dns_address_on_another_port_is_fine()
        => Assert.Equal(2, Valid(Dns("  servers: [192.0.2.53, \"192.0.2.53:5353\"]\n")).Dns.Servers.Count);

    [Fact]
    public void Dns_servers_as_a_scalar_is_a_type_error()
        => AssertError(Dns("  servers: 192.0.2.53\n"), 7, 12, "dns.servers: expected a sequence, found '192.0.2.53'");

    [Fact]
    public void Dns_server_given_a_mapping_is_a_type_error()
        => AssertError(Dns("  servers:\n    - {address: 192.0.2.53}\n"), 8, 7, "dns.servers[0]: expected a string, found a mapping");

    [Theory]
    [InlineData("timeout: 99ms", "dns.timeout: 99ms is out of range 100ms..30s")]
    [InlineData("timeout: 31s", "out of range 100ms..30s")]
    [InlineData("timeout: 1m", "out of range 100ms..30s")]
    [InlineData("timeout: 5", "has no unit")]
    [InlineData("timeout: 0.5s", "unknown unit '.5s'")]
    public void Dns_timeout_errors_point_at_the_value(string line, string messagePart)
        => AssertError(Dns("  " + line + "\n"), 7, ValueColumn(line, 3), messagePart);

    [Fact]
    public void Unknown_dns_key_suggests_the_closest()
        => AssertError(Dns("  timout: 5s\n"), 7, 3, "unknown key 'timout' in dns; did you mean 'timeout'?");

    [Fact]
    public void Dns_given_a_sequence_is_a_type_error()
        => AssertError(Base + "dns: [192.0.2.53]\n", 6, 6, "dns: expected a mapping, found a sequence");

    // ---- all at once ----

    [Fact]
    public void All_delivery_and_dns_errors_are_collected_in_one_pass()
    {
        var result = _files.Load(Base + """
            delivery:
              port: 0
              smarthost: "[10.0.0.1]:25"
              routes:
                nope.test:
                  - host: 10.0.0.5
                example.test:
                  - host: bad_host
                    port: 99999
              concurrency: 5
              concurrency_per_destination: 6
              retry:
                first: 10m
                max: 5m
                factor: 20
              delay_notice_after: 3d
              max_received_headers: 5
            dns:
              servers: [dns.example.test, 192.0.2.53]
              timeout: 1h
              retries: 3
            """);

        Assert.Equal(
            [
                "7:9: delivery.port: 0 is out of range 1..65535",
                "8:14: delivery.smarthost: '[10.0.0.1]:25': brackets are only for IPv6 addresses",
                "10:5: delivery.routes: 'nope.test' is not one of our domains (domains: example.test, other.test); routes are for inbound mail",
                "13:15: delivery.routes.example.test[0].host: 'bad_host' is not a valid domain name (label 'bad_host')",
                "14:15: delivery.routes.example.test[0].port: 99999 is out of range 1..65535",
                "16:32: delivery.concurrency_per_destination: 6 must be at most delivery.concurrency (5)",
                "19:10: delivery.retry.max: 5m must be at least delivery.retry.first (10m)",
                "20:13: delivery.retry.factor: 20 is out of range 1..10",
                "21:23: delivery.delay_notice_after: 3d must be less than delivery.bounce_after (2d, the default)",
                "22:25: delivery.max_received_headers: 5 is out of range 10..500",
                "26:3: unknown key 'retries' in dns",
                "24:13: dns.servers[0]: 'dns.example.test' is not an IP address; expected ip, ip:port or [ipv6]:port",
                "25:12: dns.timeout: 1h is out of range 100ms..30s",
            ],
            result.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}"));
        Assert.All(result.Errors, e => Assert.Equal(_files.PathOf("gateway.yaml"), e.File));
    }
}
