using System.Net;
using Gateway.Abstractions;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Smtp.Server;
using Gateway.Testing;
using Gateway.Testing.Smtp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>
/// A replaced policy snapshot keeps its certificate and keys while sessions that opened under it run, and disposes
/// them when the last of those sessions ends: not before, and not left to the finalizer.
/// </summary>
public sealed class RuntimeLeaseTests
{
    private static GatewayPolicy PolicyIn(string state, string host = "mx.example.test") => new()
    {
        HostName = host,
        StateDirectory = state,
        Domains = ["example.test"],
        Listeners = [new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }],
    };

    private static PolicyRuntime Build(GatewayPolicy policy) =>
        PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));

    private static RuntimeHolder Holder(PolicyRuntime initial) =>
        new(initial, TestRuntimeServices.Create(), NullLogger<RuntimeHolder>.Instance);

    [Fact]
    public void A_replaced_runtime_is_disposed_when_its_last_lease_ends()
    {
        var state = TestDirectories.CreateTemp("gw-lease");
        var first = Build(PolicyIn(state));
        using var holder = Holder(first);
        var a = holder.Acquire();
        var b = holder.Acquire();
        Assert.Same(first, a.Runtime);

        holder.Apply(PolicyIn(state, "mx2.example.test"));
        var second = holder.Current;
        Assert.NotSame(first, second);
        Assert.False(first.IsDisposed);
        Assert.Same(second, holder.Acquire().Runtime);

        a.Dispose();
        a.Dispose();
        Assert.False(first.IsDisposed);
        Assert.True(first.Certificates!.All[0].Certificate.Handle != IntPtr.Zero);

        b.Dispose();
        Assert.True(first.IsDisposed);
        Assert.False(second.IsDisposed);
        Assert.Null(first.TryLease());
    }

    [Fact]
    public void A_runtime_nobody_uses_is_disposed_when_it_is_replaced()
    {
        var state = TestDirectories.CreateTemp("gw-lease");
        var first = Build(PolicyIn(state));
        using var holder = Holder(first);

        holder.Apply(PolicyIn(state, "mx2.example.test"));

        Assert.True(first.IsDisposed);
        Assert.False(holder.Current.IsDisposed);
    }

    [Fact]
    public async Task A_replaced_runtime_lives_exactly_as_long_as_its_last_session()
    {
        var state = TestDirectories.CreateTemp("gw-lease");
        var first = Build(PolicyIn(state));
        using var holder = Holder(first);
        var provider = new LeaseWatchingProvider(
            new PolicySessionProvider(holder, new UnusedAcceptor(), new Host.Metrics.GatewayMetrics(), TimeProvider.System, NullLoggerFactory.Instance));
        var listener = new SmtpListenerOptions { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        await using var server = new SmtpServer([listener], provider, TimeProvider.System, NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        var endPoint = server.BoundEndPoints[0].EndPoint;

        var (one, _) = await SmtpTestClient.ConnectAndGreetAsync(endPoint);
        var (two, _) = await SmtpTestClient.ConnectAndGreetAsync(endPoint);
        holder.Apply(PolicyIn(state, "mx2.example.test"));
        Assert.False(first.IsDisposed);

        await using (one)
        {
            await one.CommandAsync("QUIT");
        }

        // Session one has given its lease back: only session two keeps the replaced runtime now.
        await provider.Released[0].WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.IsDisposed);

        await using (two)
        {
            await two.CommandAsync("QUIT");
        }

        await provider.Released[1].WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(first.IsDisposed);
        Assert.False(holder.Current.IsDisposed);
    }

    /// <summary>Tells, per session in the order they opened, when the server has disposed the session's lease.</summary>
    private sealed class LeaseWatchingProvider(ISmtpSessionProvider inner) : ISmtpSessionProvider
    {
        private readonly List<TaskCompletionSource> _released = [];

        public IReadOnlyList<Task> Released
        {
            get
            {
                lock (_released)
                {
                    return [.. _released.Select(r => r.Task)];
                }
            }
        }

        public SmtpSessionSetup Open(SessionFacts facts)
        {
            var setup = inner.Open(facts);
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_released)
            {
                _released.Add(released);
            }

            return setup with { Lease = new ObservedLease(setup.Lease, released) };
        }

        private sealed class ObservedLease(IDisposable? lease, TaskCompletionSource released) : IDisposable
        {
            public void Dispose()
            {
                lease?.Dispose();
                released.TrySetResult();
            }
        }
    }
}
