namespace Gateway.Policy.Tests;

/// <summary>The loader reads whole files, so "split at every byte" becomes "cut at every byte": no prefix may throw.</summary>
public sealed class RobustnessTests : IDisposable
{
    private const string Policy = """
        # comment
        include: [more.yaml]
        hostname: mx.example.test
        domains: [example.test, "bücher.example"]
        trusted_networks:
          - 10.0.0.0/8
          - "::1/128"
        listeners:
          - name: inbound
            address: "[::1]:2525"
            tls: starttls
            pregreet_delay: 2s
        limits:
          message_size: 35MiB
          timeouts: {greeting: 5m, session: 1h}
        logging: {format: 'text', level: "debug"}
        """;

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Every_prefix_of_a_policy_loads_or_reports_positioned_errors()
    {
        _files.Write("more.yaml", "smtp:\n  vrfy: disabled\n");
        var lines = Policy.Split('\n').Length;
        for (var length = 0; length <= Policy.Length; length++)
        {
            var result = _files.Load(Policy[..length]);

            Assert.True(result.Success || result.Errors.Count > 0, $"prefix {length}: neither policy nor errors");
            Assert.All(result.Errors, e =>
            {
                Assert.InRange(e.Line, 1, lines + 1);
                Assert.InRange(e.Column, 1, 200);
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            });
        }

        Assert.True(_files.Load(Policy).Success);
    }

    [Fact]
    public void Every_prefix_of_a_credentials_file_loads_or_reports_positioned_errors()
    {
        var text = $"# users\nalice:{PasswordHash.Create("a", 1000)}\nbob:{PasswordHash.Create("b", 1000)}\n";
        for (var length = 0; length <= text.Length; length++)
        {
            var (file, errors) = CredentialsFile.Load(_files.Write("users", text[..length]));

            Assert.True(file is not null ^ errors.Count > 0, $"prefix {length}");
            Assert.All(errors, e => Assert.InRange(e.Line, 1, 4));
        }
    }
}
