namespace Gateway.Policy.Tests;

/// <summary>auth.senders: which sender addresses each login owns.</summary>
public sealed class AuthSendersPolicyTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Addresses_domains_and_any_are_read_with_canonical_domains()
    {
        var result = _files.Load(PolicyFiles.Minimal + """
            auth:
              senders:
                alice: [alice@Example.TEST, "@sales.example.test"]
                app: ["*"]
                "bob@example.test": ["@bücher.example"]
            """);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        var senders = result.Policy!.Auth.Senders;
        Assert.Equal([new SenderPattern("alice", "example.test"), new SenderPattern(null, "sales.example.test")], senders["alice"]);
        Assert.Equal([SenderPattern.Any], senders["app"]);
        Assert.Equal([new SenderPattern(null, "xn--bcher-kva.example")], senders["bob@example.test"]);
    }

    [Fact]
    public void Absent_means_an_empty_map()
    {
        var result = _files.Load(PolicyFiles.Minimal);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Empty(result.Policy!.Auth.Senders);
    }

    [Theory]
    [InlineData("auth:\n  senders: [alice]\n", 2, 12, "expected a mapping of login to sender addresses")]
    [InlineData("auth:\n  senders:\n    alice: alice@example.test\n", 3, 12, "auth.senders.alice: expected a sequence")]
    [InlineData("auth:\n  senders:\n    alice: [\"alice@\"]\n", 3, 13, "is not an address")]
    [InlineData("auth:\n  senders:\n    alice: [\"@-bad-.example\"]\n", 3, 13, "auth.senders.alice")]
    [InlineData("auth:\n  senders:\n    alice: [\"<alice@example.test>\"]\n", 3, 13, "without a display name")]
    public void Bad_entries_are_reported_at_their_node(string yaml, int line, int column, string messagePart)
    {
        var result = _files.Load(PolicyFiles.Minimal + yaml);

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.True(error.Line == line + 4 && error.Column == column, $"expected {line + 4}:{column}, got {error}");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
