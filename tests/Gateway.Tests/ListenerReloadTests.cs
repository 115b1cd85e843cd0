using System.Net;
using Gateway.Abstractions;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>
/// Listener sockets stay bound as the start's policy made them; a reload only changes the settings of listeners it
/// still names. A session on a listener the reload renamed keeps that listener's settings from the start.
/// </summary>
public sealed class ListenerReloadTests
{
    private static GatewayPolicy PolicyIn(string state, string submissionName, bool inboundRequireTls) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = state,
        Domains = ["example.test"],
        Listeners =
        [
            new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 2525), RequireTls = inboundRequireTls },
            new ListenerPolicy { Name = submissionName, EndPoint = new IPEndPoint(IPAddress.Loopback, 2587), RequireTls = true, RequireAuth = true },
        ],
    };

    private static SessionFacts Facts(string listener) => new()
    {
        SessionId = "s1",
        ListenerName = listener,
        RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.9"), 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 2587),
        ConnectedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void A_session_on_a_listener_a_reload_renamed_keeps_its_start_settings_not_the_first_listeners()
    {
        var state = TestDirectories.CreateTemp("gw-listeners");
        var services = TestRuntimeServices.Create();
        var initial = PolicyRuntime.TryBuild(PolicyIn(state, "submission", inboundRequireTls: false), services, out var errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        using var holder = new RuntimeHolder(initial, services, NullLogger<RuntimeHolder>.Instance);
        var provider = new PolicySessionProvider(holder, new UnusedAcceptor(), new Host.Metrics.GatewayMetrics(), TimeProvider.System, NullLoggerFactory.Instance);

        holder.Apply(PolicyIn(state, "msa", inboundRequireTls: true));

        var submission = provider.Open(Facts("submission"));
        var inbound = provider.Open(Facts("inbound"));
        try
        {
            Assert.True(submission.Options.RequireAuth);
            Assert.True(submission.Options.RequireTls);

            // A listener the reload still names takes its new settings.
            Assert.False(inbound.Options.RequireAuth);
            Assert.True(inbound.Options.RequireTls);
        }
        finally
        {
            submission.Lease?.Dispose();
            inbound.Lease?.Dispose();
        }
    }
}
