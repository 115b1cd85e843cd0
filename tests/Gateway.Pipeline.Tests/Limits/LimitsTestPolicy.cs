using System.Net;
using Gateway.Abstractions;
using Gateway.Policy;

namespace Gateway.Pipeline.Tests.Limits;

internal static class LimitsTestPolicy
{
    public static GatewayPolicy With(RateLimitsPolicy? rates = null, GreylistingPolicy? greylisting = null) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test"],
        TrustedNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        RateLimits = rates ?? new RateLimitsPolicy(),
        Greylisting = greylisting ?? new GreylistingPolicy(),
    };

    public static SessionFacts Facts(string client, string? user = null) => new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse(client), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        AuthenticatedUser = user,
    };

    public static ClientTrust Anonymous => ClientTrust.Anonymous;

    public static ClientTrust Trusted => new(ClientClass.TrustedNetwork, null);

    public static ClientTrust User(string name) => new(ClientClass.AuthenticatedRelay, name);
}

/// <summary>Counts what the limits report, as the host's Prometheus counters would.</summary>
internal sealed class RecordingMetrics : Gateway.Pipeline.Limits.ILimitsMetrics
{
    public List<string> Events { get; } = [];

    public void RateLimited(string scope, string measure) => Events.Add($"rate:{scope}:{measure}");

    public void Greylisting(string decision) => Events.Add("grey:" + decision);
}
