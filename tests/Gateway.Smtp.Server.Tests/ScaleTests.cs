using System.Diagnostics;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

public sealed class ScaleTests
{
    [Fact]
    public async Task A_thousand_idle_sessions_stay_small()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxConnections = 2000, MaxConnectionsPerClient = 2000 });
        var clients = new List<SmtpTestClient>();
        try
        {
            // Warm up first so JIT and pools do not count as per-session cost.
            await using (var warm = await server.ConnectAsync())
            {
                await warm.GreetAsync();
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var before = Process.GetCurrentProcess().WorkingSet64;
            var managedBefore = GC.GetTotalMemory(forceFullCollection: true);

            for (var batch = 0; batch < 10; batch++)
            {
                var connecting = Enumerable.Range(0, 100).Select(async _ =>
                {
                    var client = await server.ConnectAsync();
                    await client.GreetAsync();
                    return client;
                });
                clients.AddRange(await Task.WhenAll(connecting));
            }

            await LimitsTests.WaitUntilAsync(() => server.Server.OpenSessions == 1000);
            var managedAfter = GC.GetTotalMemory(forceFullCollection: true);
            var after = Process.GetCurrentProcess().WorkingSet64;

            // Both ends of every connection live in this process, so this over-counts the server's share.
            var perSessionManaged = (managedAfter - managedBefore) / 1000;
            Assert.True(perSessionManaged < 25_000, $"managed bytes per idle session (both ends): {perSessionManaged}");
            Assert.True(after - before < 100L * 1024 * 1024, $"working set grew by {(after - before) / (1024 * 1024)} MB");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
