using System.Net;

namespace Gateway.Policy.Tests;

public sealed class RateLimitsPolicyTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Without_the_sections_nothing_is_limited_or_greylisted()
    {
        var policy = _files.Valid(PolicyFiles.Minimal);
        Assert.False(policy.RateLimits.Enabled);
        Assert.False(policy.Greylisting.Enabled);
    }

    [Fact]
    public void The_documented_example_reads_with_a_default_window_and_per_entry_windows()
    {
        var policy = _files.Valid(PolicyFiles.Minimal + """
            rate_limits:
              window: 1m
              per_client: {connections: 30, messages: 60, recipients: 300}
              per_network: {ipv4_prefix: 24, ipv6_prefix: 64, connections: 100, messages: 200, recipients: 1000}
              per_user: {messages: 500, recipients: 2000, window: 1h}
              per_sender: {messages: 200, window: 1h}
              apply_to_trusted: false
            greylisting:
              enabled: true
              delay: 5m
              retry_window: 24h
              auto_allow: 35d
              allow: {networks: [192.0.2.0/24], sender_domains: [partner.example, .group.example]}

            """);

        var rates = policy.RateLimits;
        Assert.True(rates.Enabled);
        Assert.Equal(new RateLimitSet { Connections = 30, Messages = 60, Recipients = 300, Window = TimeSpan.FromMinutes(1) }, rates.PerClient);
        Assert.Equal(new RateLimitSet { Connections = 100, Messages = 200, Recipients = 1000, Window = TimeSpan.FromMinutes(1) }, rates.PerNetwork);
        Assert.Equal(new RateLimitSet { Messages = 500, Recipients = 2000, Window = TimeSpan.FromHours(1) }, rates.PerUser);
        Assert.Equal(new RateLimitSet { Messages = 200, Window = TimeSpan.FromHours(1) }, rates.PerSender);
        Assert.Equal((24, 64, false), (rates.Ipv4Prefix, rates.Ipv6Prefix, rates.ApplyToTrusted));

        var grey = policy.Greylisting;
        Assert.True(grey.Enabled);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), TimeSpan.FromDays(35)), (grey.Delay, grey.RetryWindow, grey.AutoAllow));
        Assert.True(grey.AllowsNetwork(IPAddress.Parse("192.0.2.77")));
        Assert.True(grey.AllowsNetwork(IPAddress.Parse("::ffff:192.0.2.77")));
        Assert.False(grey.AllowsNetwork(IPAddress.Parse("192.0.3.1")));
        Assert.True(grey.AllowsSenderDomain("Partner.Example"));
        Assert.False(grey.AllowsSenderDomain("mail.partner.example"));
        Assert.True(grey.AllowsSenderDomain("eu.group.example"));
        Assert.False(grey.AllowsSenderDomain("group.example"));
    }

    [Fact]
    public void A_greylisting_section_is_on_unless_it_says_enabled_false()
    {
        Assert.True(_files.Valid(PolicyFiles.Minimal + "greylisting: {delay: 1s}\n").Greylisting.Enabled);
        Assert.False(_files.Valid(PolicyFiles.Minimal + "greylisting: {enabled: false}\n").Greylisting.Enabled);
    }

    [Fact]
    public void Connections_per_user_are_refused_because_the_user_is_not_known_at_connect() =>
        _files.AssertError(PolicyFiles.Minimal + "rate_limits:\n  per_user: {connections: 5}\n", 6, 27, "not known when a client connects");

    [Fact]
    public void A_retry_window_no_longer_than_the_delay_is_an_error() =>
        _files.AssertError(PolicyFiles.Minimal + "greylisting:\n  delay: 10m\n  retry_window: 10m\n", 7, 17, "must be longer than greylisting.delay");

    [Theory]
    [InlineData("rate_limits:\n  per_client: {connections: 0}\n", "out of range 1..10000000")]
    [InlineData("rate_limits:\n  per_network: {ipv4_prefix: 33}\n", "out of range 8..32")]
    [InlineData("rate_limits:\n  per_client: {mesages: 5}\n", "did you mean 'messages'")]
    [InlineData("rate_limits:\n  window: 0s\n", "out of range")]
    [InlineData("greylisting:\n  auto_allow: 10m\n", "out of range 1h..365d")]
    [InlineData("greylisting:\n  allow: {networks: [192.0.2.1/24]}\n", "192.0.2.1/24")]
    [InlineData("greylisting:\n  allow: {sender_domains: ['bad domain']}\n", "greylisting.allow.sender_domains[0]")]
    [InlineData("greylisting:\n  delay: 1s\n  grey: 1\n", "unknown key 'grey'")]
    public void Bad_values_are_reported(string yaml, string message)
    {
        var result = _files.Load(PolicyFiles.Minimal + yaml);
        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }
}
