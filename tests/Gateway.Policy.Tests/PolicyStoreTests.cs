using Gateway.Testing.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Policy.Tests;

public sealed class PolicyStoreTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private (PolicyStore Store, ListLogger<PolicyStore> Logger) CreateStore(string text)
    {
        var path = _files.Write("gateway.yaml", text);
        var initial = PolicyLoader.Load(path);
        Assert.True(initial.Success, string.Join(Environment.NewLine, initial.Errors));
        var logger = new ListLogger<PolicyStore>();
        return (new PolicyStore(path, initial.Policy!, logger), logger);
    }

    [Fact]
    public void Valid_reload_swaps_and_raises_changed()
    {
        var (store, logger) = CreateStore(PolicyFiles.Minimal + "domains: [a.test]\n");
        var seen = new List<GatewayPolicy>();
        store.Changed += seen.Add;

        _files.Write("gateway.yaml", PolicyFiles.Minimal + "domains: [b.test]\n");
        var result = store.Reload();

        Assert.True(result.Success);
        Assert.Equal(["b.test"], store.Current.Domains);
        Assert.Same(store.Current, Assert.Single(seen));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Policy read and valid", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_reload_keeps_the_running_policy_and_logs_each_error()
    {
        var (store, logger) = CreateStore(PolicyFiles.Minimal + "domains: [a.test]\n");
        var before = store.Current;
        var changed = 0;
        store.Changed += _ => changed++;

        _files.Write("gateway.yaml", PolicyFiles.Minimal + "domains: [b.test]\nlimits:\n  errors: 0\nbogus: 1\n");
        var result = store.Reload();

        Assert.False(result.Success);
        Assert.Equal(2, result.Errors.Count);
        Assert.Same(before, store.Current);
        Assert.Equal(0, changed);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains($"{_files.PathOf("gateway.yaml")}:7:11: limits.errors", StringComparison.Ordinal));
    }

    [Fact]
    public void Deleted_file_keeps_the_running_policy()
    {
        var (store, _) = CreateStore(PolicyFiles.Minimal);
        var before = store.Current;
        File.Delete(_files.PathOf("gateway.yaml"));

        Assert.False(store.Reload().Success);
        Assert.Same(before, store.Current);
    }

    [Fact]
    public void A_throwing_handler_does_not_stop_the_others_or_the_swap()
    {
        var (store, logger) = CreateStore(PolicyFiles.Minimal);
        var second = 0;
        store.Changed += _ => throw new InvalidOperationException("boom");
        store.Changed += _ => second++;

        _files.Write("gateway.yaml", PolicyFiles.Minimal + "domains: [c.test]\n");
        var result = store.Reload();

        Assert.True(result.Success);
        Assert.Equal(1, second);
        Assert.Equal(["c.test"], store.Current.Domains);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error);
    }
}
