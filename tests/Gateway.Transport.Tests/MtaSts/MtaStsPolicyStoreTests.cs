using Gateway.Testing;
using Gateway.Testing.Logging;
using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>The file cache over a real temporary directory.</summary>
public sealed class MtaStsPolicyStoreTests : IDisposable
{
    private const string Text = "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 86400\n";

    private static readonly DateTimeOffset FetchedAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = TestDirectories.CreateTemp("mta-sts-store");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_saved_policy_is_loaded_by_the_next_store_over_the_directory()
    {
        var store = await Open();
        await store.SaveAsync(Entry("example.org", "id1"), CancellationToken.None);

        var reopened = await Open();

        var entry = reopened.Get("example.org");
        Assert.NotNull(entry);
        Assert.Equal("id1", entry.PolicyId);
        Assert.Equal(Text, entry.Policy.Text);
        Assert.Equal(MtaStsMode.Enforce, entry.Policy.Mode);
        Assert.Equal(FetchedAt, entry.FetchedAt);
        Assert.Equal(FetchedAt.AddDays(1), entry.ExpiresAt);
        Assert.Equal(["example.org.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Saving_again_replaces_the_file_and_leaves_no_temporary_file()
    {
        var store = await Open();
        await store.SaveAsync(Entry("example.org", "id1"), CancellationToken.None);
        await store.SaveAsync(Entry("example.org", "id2"), CancellationToken.None);

        Assert.Equal(["example.org.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.Equal("id2", store.Get("example.org")?.PolicyId);
        Assert.Equal("id2", (await Open()).Get("example.org")?.PolicyId);
    }

    [Fact]
    public async Task Corrupt_files_are_ignored_and_the_others_loaded()
    {
        var store = await Open();
        await store.SaveAsync(Entry("good.example", "id1"), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(_directory, "garbage.example.json"), "{ not json");
        await File.WriteAllTextAsync(Path.Combine(_directory, "empty.example.json"), string.Empty);
        await File.WriteAllTextAsync(Path.Combine(_directory, "partial.example.json"), "{\"format\":1,\"domain\":\"partial.example\"}");
        var goodJson = await File.ReadAllTextAsync(Path.Combine(_directory, "good.example.json"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "other.example.json"), goodJson);
        await File.WriteAllTextAsync(
            Path.Combine(_directory, "invalid.example.json"),
            goodJson.Replace("good.example", "invalid.example", StringComparison.Ordinal).Replace("mode: enforce", "mode: sometimes", StringComparison.Ordinal));

        var logger = new ListLogger<MtaStsPolicyStore>();
        var reopened = await MtaStsPolicyStore.OpenAsync(_directory, logger, CancellationToken.None);

        Assert.Equal(["good.example"], reopened.Entries.Select(e => e.Domain));
        Assert.Equal(5, logger.Entries.Count(e => e.Message.Contains("ignored", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Temporary_files_left_by_a_crash_are_removed_on_load()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, ".example.org.0123.tmp"), "{");

        var store = await Open();

        Assert.Empty(store.Entries);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_missing_directory_is_created()
    {
        var path = Path.Combine(_directory, "state", "mta-sts");

        var store = await MtaStsPolicyStore.OpenAsync(path, NullLogger<MtaStsPolicyStore>.Instance, CancellationToken.None);
        await store.SaveAsync(Entry("example.org", "id1"), CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(path, "example.org.json")));
    }

    [Fact]
    public async Task Removing_deletes_the_file()
    {
        var store = await Open();
        await store.SaveAsync(Entry("example.org", "id1"), CancellationToken.None);

        await store.RemoveAsync("example.org", CancellationToken.None);

        Assert.Null(store.Get("example.org"));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("../escape.example")]
    [InlineData("Example.org")]
    [InlineData("a/b.example")]
    [InlineData("")]
    public async Task Only_canonical_domain_names_become_file_names(string domain)
    {
        var store = await Open();

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(Entry(domain, "id1"), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    private static MtaStsCachedPolicy Entry(string domain, string id) =>
        new(domain, id, MtaStsPolicyParser.Parse(Text).Policy!, FetchedAt, FetchedAt.AddDays(1));

    private Task<MtaStsPolicyStore> Open() => MtaStsPolicyStore.OpenAsync(_directory, NullLogger<MtaStsPolicyStore>.Instance, CancellationToken.None);
}
