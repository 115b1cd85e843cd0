using System.Diagnostics;
using Gateway.Testing.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Policy.Tests;

public sealed class PolicyWatcherTests : IDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);
    private readonly PolicyFiles _files = new();
    private readonly ListLogger<PolicyStore> _storeLog = new();

    public void Dispose() => _files.Dispose();

    private PolicyStore CreateStore(string text)
    {
        var path = _files.Write("gateway.yaml", text);
        var initial = PolicyLoader.Load(path);
        Assert.True(initial.Success, string.Join(Environment.NewLine, initial.Errors));
        return new PolicyStore(path, initial.Policy!, _storeLog);
    }

    private static async Task<bool> WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < MaxWait)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    [Fact]
    public async Task Picks_up_an_in_place_edit()
    {
        var store = CreateStore(PolicyFiles.Minimal + "domains: [a.test]\n");
        using var watcher = new PolicyWatcher(store, TimeProvider.System, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(50));
        watcher.Start();

        await File.WriteAllTextAsync(_files.PathOf("gateway.yaml"), PolicyFiles.Minimal + "domains: [b.test]\n");

        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["b.test"])), "the edit was not picked up");
    }

    [Fact]
    public async Task Picks_up_an_editor_style_rename_over_the_file()
    {
        var store = CreateStore(PolicyFiles.Minimal + "domains: [a.test]\n");
        using var watcher = new PolicyWatcher(store, TimeProvider.System, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(50));
        watcher.Start();

        var temp = _files.Write(".gateway.yaml.swp", PolicyFiles.Minimal + "domains: [renamed.test]\n");
        File.Move(temp, _files.PathOf("gateway.yaml"), overwrite: true);

        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["renamed.test"])), "the rename was not picked up");
    }

    [Fact]
    public async Task New_include_gets_watched_after_reload()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        using var watcher = new PolicyWatcher(store, TimeProvider.System, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(50));
        watcher.Start();

        _files.Write("conf.d/domains.yaml", "domains: [first.test]\n");
        await File.WriteAllTextAsync(_files.PathOf("gateway.yaml"), PolicyFiles.Minimal + "include: [conf.d/domains.yaml]\n");
        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["first.test"])), "the include was not loaded");
        Assert.Contains(_files.PathOf("conf.d/domains.yaml"), watcher.WatchedFiles);

        await File.WriteAllTextAsync(_files.PathOf("conf.d/domains.yaml"), "domains: [second.test]\n");
        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["second.test"])), "the edit of the include was not picked up");
    }

    [Fact]
    public async Task An_include_added_before_its_file_exists_loads_when_the_file_is_created()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        using var watcher = new PolicyWatcher(store, TimeProvider.System, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(50));
        watcher.Start();

        await File.WriteAllTextAsync(_files.PathOf("gateway.yaml"), PolicyFiles.Minimal + "include: [extra.yaml]\n");
        Assert.True(await WaitUntil(() => watcher.WatchedFiles.Contains(_files.PathOf("extra.yaml"))), "the missing include is not watched");

        // No touch of gateway.yaml: creating the file it names is enough.
        _files.Write("extra.yaml", "domains: [late.test]\n");
        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["late.test"])), "creating the include was not picked up");
    }

    [Fact]
    public async Task Bad_edit_keeps_the_policy_and_a_later_fix_is_picked_up()
    {
        var store = CreateStore(PolicyFiles.Minimal + "domains: [a.test]\n");
        using var watcher = new PolicyWatcher(store, TimeProvider.System, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(50));
        watcher.Start();
        var before = store.Current;

        await File.WriteAllTextAsync(_files.PathOf("gateway.yaml"), PolicyFiles.Minimal + "domains: [a.test\n");

        // The store's warning is the sign that the watcher reloaded and the store refused what it read.
        Assert.True(
            await WaitUntil(() => _storeLog.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("reload rejected", StringComparison.Ordinal))),
            "the bad edit was not read");
        Assert.Same(before, store.Current);

        await File.WriteAllTextAsync(_files.PathOf("gateway.yaml"), PolicyFiles.Minimal + "domains: [fixed.test]\n");
        Assert.True(await WaitUntil(() => store.Current.Domains.SequenceEqual(["fixed.test"])), "the fix was not picked up");
    }

    [Fact]
    public void Burst_of_events_is_debounced_into_one_reload()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        var time = new FakeTimeProvider();
        using var watcher = new PolicyWatcher(store, time, new ListLogger<PolicyWatcher>(), TimeSpan.FromMilliseconds(300));
        watcher.Start();
        var reloads = 0;
        store.Changed += _ => reloads++;
        var path = _files.PathOf("gateway.yaml");

        watcher.OnFileEvent(path);
        time.Advance(TimeSpan.FromMilliseconds(200));
        watcher.OnFileEvent(path);
        time.Advance(TimeSpan.FromMilliseconds(200));
        watcher.OnFileEvent(path);
        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.Equal(0, reloads);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, reloads);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, reloads);
    }

    [Fact]
    public void Events_on_unrelated_files_are_ignored()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        var time = new FakeTimeProvider();
        using var watcher = new PolicyWatcher(store, time, new ListLogger<PolicyWatcher>());
        watcher.Start();
        var reloads = 0;
        store.Changed += _ => reloads++;

        watcher.OnFileEvent(_files.PathOf("unrelated.txt"));
        watcher.OnFileEvent(_files.PathOf("gateway.yaml.bak"));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, reloads);
    }

    [Fact]
    public void Kubernetes_configmap_swap_triggers_a_reload()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        var time = new FakeTimeProvider();
        using var watcher = new PolicyWatcher(store, time, new ListLogger<PolicyWatcher>());
        watcher.Start();
        var reloads = 0;
        store.Changed += _ => reloads++;

        watcher.OnFileEvent(_files.PathOf("..data"));
        watcher.OnFileEvent(Path.Combine(Path.GetTempPath(), "elsewhere", "..data"));
        time.Advance(PolicyWatcher.DefaultDebounce);

        Assert.Equal(1, reloads);
    }

    [Fact]
    public void Disposed_watcher_does_not_reload()
    {
        var store = CreateStore(PolicyFiles.Minimal);
        var time = new FakeTimeProvider();
        var watcher = new PolicyWatcher(store, time, new ListLogger<PolicyWatcher>());
        watcher.Start();
        var reloads = 0;
        store.Changed += _ => reloads++;

        watcher.OnFileEvent(_files.PathOf("gateway.yaml"));
        watcher.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, reloads);
        Assert.Throws<ObjectDisposedException>(watcher.Start);
    }

    [Fact]
    public void Watches_the_main_file_and_its_includes()
    {
        _files.Write("inc/a.yaml", "domains: [a.test]\n");
        var store = CreateStore(PolicyFiles.Minimal + "include: [inc/a.yaml]\n");
        using var watcher = new PolicyWatcher(store, new FakeTimeProvider(), new ListLogger<PolicyWatcher>());
        watcher.Start();

        Assert.Equal(
            new[] { _files.PathOf("gateway.yaml"), _files.PathOf("inc/a.yaml") }.Order(),
            watcher.WatchedFiles.Order());
    }
}
