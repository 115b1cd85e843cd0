namespace Gateway.IntegrationTests.Fixtures;

/// <summary>One gateway process shared by the tests of a class: an untrusted loopback client, domains example.test and ours.test.</summary>
public class GatewayFixture : IAsyncLifetime
{
    public GatewayProcess Gateway { get; private set; } = null!;

    protected virtual TestPolicy CreatePolicy() => new(extraYaml: "limits:\n  recipients: 5\n  errors: 50\n");

    public async Task InitializeAsync() => Gateway = await GatewayProcess.StartAsync(CreatePolicy());

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>A gateway whose trusted networks include loopback: the internal-server (outbound relay) view.</summary>
public sealed class TrustedGatewayFixture : GatewayFixture
{
    protected override TestPolicy CreatePolicy() => new(trustedNetworks: ["127.0.0.0/8", "::1/128"]);
}
