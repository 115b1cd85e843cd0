using System.Net;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Dns;
using Gateway.Host.Cli;
using Gateway.Host.Spool;
using Gateway.Policy;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

public sealed class InitCommandTests : IDisposable
{
    private readonly string _root = TestDirectories.CreateTemp("gateway-init");
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    private string PolicyPath => Path.Combine(_root, "etc", "gateway.yaml");

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        _out.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task The_written_policy_loads_and_routes_the_domain_to_the_internal_host()
    {
        var exit = Init(new InitRequest("MX.Example.ORG", "example.org", "10.0.0.5:2525", ["10.0.0.0/24"], Path.Combine(_root, "etc"), "/var/lib/gateway"));

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(string.Empty, _error.ToString());
        var loaded = PolicyLoader.Load(PolicyPath);
        Assert.True(loaded.Success, string.Join("\n", loaded.Errors));
        var policy = loaded.Policy!;
        Assert.Equal("mx.example.org", policy.HostName);
        Assert.Equal(["example.org"], policy.Domains);
        Assert.Equal("/var/lib/gateway", policy.StateDirectory);
        Assert.Contains(IPNetwork.Parse("10.0.0.0/24"), policy.TrustedNetworks);
        Assert.Contains(IPNetwork.Parse("127.0.0.0/8"), policy.TrustedNetworks);
        Assert.Equal([25, 587, 465], policy.Listeners.Select(l => l.EndPoint.Port));

        // The delivery side reads the route exactly as the running gateway does.
        var router = new Router(ReloadingDeliveryAgent.ToOptions(policy), new InMemoryDnsResolver(), NullLogger<Router>.Instance, localAddresses: []);
        var route = await router.RouteAsync("example.org", MailDirection.Inbound, CancellationToken.None);
        Assert.Null(route.Failure);
        var hop = Assert.Single(route.Hops);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), hop.Address);
        Assert.Equal(2525, hop.Port);
    }

    [Fact]
    public void The_written_policy_is_commented_and_readable_by_the_gateway_user()
    {
        Assert.Equal(ExitCodes.Ok, Init(Request("mail.internal.example.org")));

        var text = File.ReadAllText(PolicyPath);
        Assert.StartsWith("# Gateway policy, written by `gateway init` on 2026-03-01.", text, StringComparison.Ordinal);
        Assert.Contains("# Our domains: mail to these is inbound.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(PolicyPath));
        Assert.Equal(["gateway.yaml"], Directory.GetFiles(Path.GetDirectoryName(PolicyPath)!).Select(Path.GetFileName));

        // A host name is resolved at delivery time; the default port is SMTP's.
        var route = Assert.Single(PolicyLoader.Load(PolicyPath).Policy!.Delivery.Routes["example.org"]);
        Assert.Equal("mail.internal.example.org", route.Host);
        Assert.Equal(25, route.Port);
    }

    [Fact]
    public void An_ipv6_internal_host_is_written_so_the_loader_reads_it_back()
    {
        Assert.Equal(ExitCodes.Ok, Init(Request("[2001:db8::5]:2525") with { TrustedNetworks = ["2001:db8::/64", "192.0.2.7"] }));

        var policy = PolicyLoader.Load(PolicyPath).Policy!;
        var route = Assert.Single(policy.Delivery.Routes["example.org"]);
        Assert.Equal(IPAddress.Parse("2001:db8::5"), route.Address);
        Assert.Equal(2525, route.Port);
        Assert.Contains(IPNetwork.Parse("2001:db8::/64"), policy.TrustedNetworks);
        Assert.Contains(IPNetwork.Parse("192.0.2.7/32"), policy.TrustedNetworks);
    }

    [Fact]
    public void An_existing_policy_is_never_overwritten()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PolicyPath)!);
        File.WriteAllText(PolicyPath, "hostname: edited.example.org\n");

        var exit = Init(Request("10.0.0.5"));

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains($"{PolicyPath} exists; init never overwrites a policy", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal("hostname: edited.example.org\n", File.ReadAllText(PolicyPath));
        Assert.Equal(["gateway.yaml"], Directory.GetFiles(Path.GetDirectoryName(PolicyPath)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("mx", "example.org", "10.0.0.5", "10.0.0.0/24", "--hostname: 'mx' is not a fully qualified domain name")]
    [InlineData("mx..example.org", "example.org", "10.0.0.5", "10.0.0.0/24", "--hostname: 'mx..example.org' is not a valid domain name")]
    [InlineData("mx.example.org", "-bad.example", "10.0.0.5", "10.0.0.0/24", "--domain: '-bad.example' is not a valid domain name")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5:0", "10.0.0.0/24", "--internal: '10.0.0.5:0' has an invalid port (1-65535)")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5:65536", "10.0.0.0/24", "--internal: '10.0.0.5:65536' has an invalid port (1-65535)")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5:smtp", "10.0.0.0/24", "--internal: '10.0.0.5:smtp' has an invalid port (1-65535)")]
    [InlineData("mx.example.org", "example.org", "2001:db8::5", "10.0.0.0/24", "--internal: '2001:db8::5': write IPv6 addresses in brackets")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5", "10.0.0.1/24", "--trusted-network: '10.0.0.1/24' has host bits set; did you mean '10.0.0.0/24'?")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5", "10.0.0.0/33", "--trusted-network: '10.0.0.0/33' has an invalid prefix length (0-32)")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5", "internal", "--trusted-network: 'internal' is not a valid IP address")]
    [InlineData("mx.example.org", "example.org", "MX.example.org:25", "10.0.0.0/24", "--internal: 'MX.example.org:25' is the gateway itself (--hostname); name the internal mail server")]
    [InlineData("mx.example.org", "example.org", "10.0.0.5", "0.0.0.0/0", "--trusted-network: '0.0.0.0/0' trusts every address on the internet to relay: the gateway would be an open relay")]
    public void Invalid_answers_are_refused_with_the_loaders_reason_and_nothing_is_written(string hostname, string domain, string internalHost, string network, string message)
    {
        var exit = Init(new InitRequest(hostname, domain, internalHost, [network], Path.Combine(_root, "etc"), "/var/lib/gateway"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"gateway: {message}", _error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "etc")));
    }

    [Fact]
    public void Every_invalid_answer_is_named_at_once()
    {
        var exit = Init(new InitRequest("mx", "example.org", "10.0.0.5:0", ["10.0.0.1/24"], Path.Combine(_root, "etc"), "/var/lib/gateway"));

        Assert.Equal(ExitCodes.Usage, exit);
        var lines = _error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void The_command_line_takes_the_four_answers_and_repeated_networks()
    {
        var parsed = GatewayCommands.Create().Parse(
            ["init", "--hostname", "mx.example.org", "--domain", "example.org", "--internal", "10.0.0.5", "--trusted-network", "10.0.0.0/24", "--trusted-network", "10.1.0.0/16"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("init", parsed.CommandResult.Command.Name);
        var networks = parsed.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
            .Single(o => o.Option.Name == "--trusted-network").Tokens.Select(t => t.Value);
        Assert.Equal(["10.0.0.0/24", "10.1.0.0/16"], networks);
    }

    [Theory]
    [InlineData("init --domain example.org --internal 10.0.0.5")]
    [InlineData("init --hostname mx.example.org --internal 10.0.0.5")]
    [InlineData("init --hostname mx.example.org --domain example.org")]
    [InlineData("init --hostname mx.example.org --domain example.org --internal 10.0.0.5 --force")]
    public void A_missing_answer_is_a_usage_error(string line)
    {
        Assert.NotEmpty(GatewayCommands.Create().Parse(line.Split(' ')).Errors);
    }

    private static InitRequest Request(string internalHost) => new("mx.example.org", "example.org", internalHost, [], string.Empty, "/var/lib/gateway");

    private int Init(InitRequest request)
    {
        if (request.Directory.Length == 0)
        {
            request = request with { Directory = Path.Combine(_root, "etc") };
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        return InitCommand.Execute(request, new CommandConsole(TextReader.Null, _out, _error), time);
    }
}
