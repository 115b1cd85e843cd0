namespace Gateway.Policy.Tests;

/// <summary>
/// The quarantine's settings: spam's quarantine action and second threshold (checked against the threshold and
/// action of the section that writes it), the retention of quarantine:, and admin.token_file for its endpoints.
/// </summary>
public sealed class QuarantinePolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domains (line 5); "spam:" is line 6, its body from line 7.</summary>
    private const string Spam = PolicyFiles.Minimal + "domains: [example.test, a.sub.example.test]\nspam:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Without_settings_items_are_kept_thirty_days_and_no_token_guards_the_endpoints()
    {
        var policy = _files.Valid(PolicyFiles.Minimal);

        Assert.Equal(TimeSpan.FromDays(30), policy.Quarantine.Retention);
        Assert.Null(policy.Admin.TokenFile);
        Assert.Null(policy.Spam.Default.QuarantineThreshold);
        Assert.False(policy.Quarantine.Digest);
    }

    [Fact]
    public void Tag_at_five_quarantine_at_ten_and_a_domain_that_quarantines_at_its_threshold()
    {
        var policy = _files.Valid(Spam + "  threshold: 5\n  quarantine_threshold: 10\n  domains:\n    example.test: {action: quarantine, threshold: 7}\n    .sub.example.test: {quarantine_threshold: 12}\n");

        Assert.Equal(new SpamDomainPolicy { Threshold = 5, Action = SpamAction.Tag, QuarantineThreshold = 10 }, policy.Spam.For("other.test"));
        Assert.Equal(SpamAction.Quarantine, policy.Spam.For("example.test").Action);
        Assert.Equal(7, policy.Spam.For("example.test").Threshold);
        Assert.Equal(12, policy.Spam.For("a.sub.example.test").QuarantineThreshold);
    }

    [Fact]
    public void With_reject_the_quarantine_threshold_is_the_band_below_it()
    {
        var policy = _files.Valid(Spam + "  action: reject\n  threshold: 15\n  quarantine_threshold: 8\n");

        Assert.Equal(new SpamDomainPolicy { Threshold = 15, Action = SpamAction.Reject, QuarantineThreshold = 8 }, policy.Spam.Default);
    }

    [Theory]
    [InlineData("  threshold: 5\n  quarantine_threshold: 5\n", 8, 25, "spam.quarantine_threshold: must be above threshold 5")]
    [InlineData("  action: reject\n  threshold: 8\n  quarantine_threshold: 9\n", 9, 25, "spam.quarantine_threshold: must be below the reject threshold 8")]
    [InlineData("  action: quarantine\n  quarantine_threshold: 9\n", 8, 25, "spam.quarantine_threshold: the action is already quarantine")]
    [InlineData("  domains:\n    example.test: {threshold: 9, quarantine_threshold: 4}\n", 8, 56, "spam.domains.example.test.quarantine_threshold: must be above threshold 9")]
    public void A_quarantine_threshold_that_cannot_act_is_an_error_where_it_is_written(string yaml, int line, int column, string message)
    {
        _files.AssertError(Spam + yaml, line, column, message);
    }

    [Fact]
    public void Retention_and_token_file_are_read()
    {
        var token = _files.Write("admin.token", "0123456789abcdef0123456789abcdef\n");

        var policy = _files.Valid(PolicyFiles.Minimal + "quarantine:\n  retention: 7d\n  digest: true\n  digest_hour: 6\nadmin:\n  token_file: admin.token\n");

        Assert.Equal(TimeSpan.FromDays(7), policy.Quarantine.Retention);
        Assert.True(policy.Quarantine.Digest);
        Assert.Equal(6, policy.Quarantine.DigestHour);
        Assert.Equal(token, policy.Admin.TokenFile);
    }

    [Fact]
    public void A_token_too_short_to_resist_guessing_is_refused_at_the_key()
    {
        _files.Write("short.token", "secret\n");

        _files.AssertError(PolicyFiles.Minimal + "admin:\n  token_file: short.token\n", 6, 15, "admin.token_file: the token is shorter than 16 characters");
    }

    [Theory]
    [InlineData("quarantine:\n  retention: 10m\n", 6, 14, "quarantine.retention: 10m is out of range")]
    [InlineData("quarantine:\n  keep: 7d\n", 6, 3, "keep")]
    [InlineData("quarantine:\n  digest_hour: 24\n", 6, 16, "quarantine.digest_hour")]
    [InlineData("admin:\n  token_file: missing.token\n", 6, 15, "admin.token_file")]
    public void Bad_settings_name_their_place(string yaml, int line, int column, string message)
    {
        _files.AssertError(PolicyFiles.Minimal + yaml, line, column, message);
    }
}
