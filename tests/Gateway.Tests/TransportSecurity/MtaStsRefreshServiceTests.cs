using Gateway.Dns;
using Gateway.Host.Hosting;
using Gateway.Host.MtaSts;
using Gateway.Policy;
using Gateway.Testing;
using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.TransportSecurity;

/// <summary>The host's hourly MTA-STS refresh with a fake clock: policies near expiry are refetched, expired ones dropped.</summary>
public sealed class MtaStsRefreshServiceTests
{
    private const string Text = "version: STSv1\r\nmode: enforce\r\nmx: mx.remote.test\r\nmax_age: 86400\r\n";

    private readonly string _state = TestDirectories.CreateTemp("gw-sts-refresh");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly CountingFetcher _fetcher = new();
    private readonly InMemoryDnsResolver _dns = new InMemoryDnsResolver().AddTxt("_mta-sts.remote.test", "v=STSv1; id=2");

    /// <summary>Serves <see cref="Text"/> for remote.test, or fails when told to, counting fetches.</summary>
    private sealed class CountingFetcher : IMtaStsPolicyFetcher
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public bool Failing { get; set; }

        public ValueTask<MtaStsFetchResult> FetchAsync(string domain, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(Failing
                ? MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyFetchError, "connection refused")
                : MtaStsFetchResult.Success(MtaStsPolicyParser.Parse(Text).Policy!));
        }
    }

    private async Task<(MtaStsRefreshService Service, MtaStsPolicyStore Store, MtaStsPolicyResolver Resolver)> StartAsync(bool mtaSts = true)
    {
        var store = await MtaStsPolicyStore.OpenAsync(Path.Combine(_state, "mta-sts"), NullLogger<MtaStsPolicyStore>.Instance, CancellationToken.None);
        var now = _time.GetUtcNow();
        await store.SaveAsync(new MtaStsCachedPolicy("remote.test", "1", MtaStsPolicyParser.Parse(Text).Policy!, now, now.AddDays(1)), CancellationToken.None);
        var resolver = new MtaStsPolicyResolver(_dns, _fetcher, store, _time, NullLogger<MtaStsPolicyResolver>.Instance);
        var policy = new GatewayPolicy
        {
            HostName = "mx.gateway.test",
            StateDirectory = _state,
            Delivery = new DeliveryPolicy { Tls = new OutboundTlsPolicy { MtaSts = mtaSts } },
        };
        var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        var holder = new RuntimeHolder(runtime, TestRuntimeServices.Create(), NullLogger<RuntimeHolder>.Instance);
        return (new MtaStsRefreshService(holder, resolver, store, _time, NullLogger<MtaStsRefreshService>.Instance), store, resolver);
    }

    [Fact]
    public async Task A_policy_is_refetched_once_its_expiry_nears_under_the_id_now_published()
    {
        var (service, store, resolver) = await StartAsync();
        using var _ = resolver;

        await service.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, _fetcher.Calls);

        // 20 of the policy's 24 hours gone: less than a third left, so the hourly refresh renews it.
        _time.Advance(TimeSpan.FromHours(20));
        await service.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, _fetcher.Calls);
        var renewed = store.Get("remote.test")!;
        Assert.Equal("2", renewed.PolicyId);
        Assert.Equal(_time.GetUtcNow().AddDays(1), renewed.ExpiresAt);
    }

    [Fact]
    public async Task A_failed_refetch_keeps_the_policy_until_it_expires_and_then_it_is_dropped()
    {
        var (service, store, resolver) = await StartAsync();
        using var _ = resolver;
        _fetcher.Failing = true;

        _time.Advance(TimeSpan.FromHours(20));
        await service.RunOnceAsync(CancellationToken.None);
        Assert.Equal("1", store.Get("remote.test")!.PolicyId);

        _time.Advance(TimeSpan.FromHours(5));
        await service.RunOnceAsync(CancellationToken.None);
        Assert.Null(store.Get("remote.test"));
        Assert.False(File.Exists(Path.Combine(_state, "mta-sts", "remote.test.json")));
    }

    [Fact]
    public async Task The_running_service_refreshes_hourly_and_not_at_all_with_mta_sts_off()
    {
        var (off, _, offResolver) = await StartAsync(mtaSts: false);
        using (offResolver)
        {
            _time.Advance(TimeSpan.FromHours(20));
            await off.RunOnceAsync(CancellationToken.None);
            Assert.Equal(0, _fetcher.Calls);
        }

        var (service, store, resolver) = await StartAsync();
        using var _ = resolver;
        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        // Until the renewed policy is stored, not merely fetched: the fetch is counted before it is saved.
        while (store.Get("remote.test")?.PolicyId != "2")
        {
            Assert.True(DateTime.UtcNow < deadline, "no refresh");
            _time.Advance(TimeSpan.FromMinutes(30));
            await Task.Delay(20);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(1, _fetcher.Calls);
    }
}
