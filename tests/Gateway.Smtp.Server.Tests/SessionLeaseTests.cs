using System.Collections.Concurrent;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

/// <summary>The lease a provider puts on a session's setup lives exactly as long as the connection.</summary>
public sealed class SessionLeaseTests
{
    [Fact]
    public async Task The_lease_is_held_while_the_session_runs_and_released_when_it_ends()
    {
        await using var server = await TestServer.StartAsync();
        var leases = RecordLeases(server);

        await using var client = await server.ConnectAsync();
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);
        var lease = Assert.Single(leases);
        Assert.False(lease.Released.Task.IsCompleted);

        await client.CommandAsync("QUIT", 221);
        await lease.Released.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, lease.Count);
    }

    [Fact]
    public async Task A_connection_refused_over_a_limit_releases_its_lease_at_once()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxConnectionsPerClient = 1 });
        var leases = RecordLeases(server);

        await using var first = await server.ConnectAsync();
        await first.GreetAsync();
        await using var second = await server.ConnectAsync();
        await second.ExpectAsync(421, "4.7.0");

        var leased = leases.ToArray();
        Assert.Equal(2, leased.Length);
        await leased[1].Released.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(leased[0].Released.Task.IsCompleted);
    }

    /// <summary>Gives every session a lease of its own and keeps them, in the order the sessions opened.</summary>
    private static ConcurrentQueue<Lease> RecordLeases(TestServer server)
    {
        var leases = new ConcurrentQueue<Lease>();
        server.Provider.Lease = () =>
        {
            var lease = new Lease();
            leases.Enqueue(lease);
            return lease;
        };
        return leases;
    }

    private sealed class Lease : IDisposable
    {
        private int _count;

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);

        public void Dispose()
        {
            Interlocked.Increment(ref _count);
            Released.TrySetResult();
        }
    }
}
