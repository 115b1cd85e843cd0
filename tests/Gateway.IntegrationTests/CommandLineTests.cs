using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;

namespace Gateway.IntegrationTests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var (exit, stdout, _) = await GatewayProcess.RunToCompletionAsync(RepositoryRoot.Path, null, "version");
        Assert.Equal(0, exit);
        Assert.StartsWith("gateway ", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("run", "--no-such-option")]
    [InlineData("check", "--config")]
    [InlineData("passwd")]
    public async Task Unknown_commands_and_options_print_usage_and_exit_2(params string[] args)
    {
        var (exit, _, stderr) = await GatewayProcess.RunToCompletionAsync(RepositoryRoot.Path, null, args);
        Assert.Equal(2, exit);
        Assert.StartsWith("gateway: ", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:\n  gateway ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_prints_usage_and_exits_2()
    {
        var (exit, _, stderr) = await GatewayProcess.RunToCompletionAsync(RepositoryRoot.Path, null);
        Assert.Equal(2, exit);
        Assert.Contains("Usage:\n  gateway [command] [options]", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("queue", "retry", "--help")]
    [InlineData("dkim", "keygen", "--help")]
    public async Task Help_goes_to_standard_output_with_exit_0(params string[] args)
    {
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(RepositoryRoot.Path, null, args);
        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.Contains("Usage:\n  gateway " + string.Join(' ', args[..^1]), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_accepts_the_shipped_default_policy()
    {
        var work = TestDirectories.CreateTemp("gw-check");
        var config = Path.Combine(RepositoryRoot.Path, "policies", "gateway.yaml");
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(work, null, "check", "--config", config);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("policy OK", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_uses_policies_gateway_yaml_by_default()
    {
        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(RepositoryRoot.Path, null, "check");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains(Path.Combine("policies", "gateway.yaml"), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_every_problem_as_file_line_column_and_exits_1()
    {
        var work = TestDirectories.CreateTemp("gw-check");
        var file = Path.Combine(work, "gateway.yaml");
        await File.WriteAllTextAsync(file, string.Join('\n',
            "hostname: mx.example.test",
            "domains: [example.test]",
            "trusted_netwrks: [10.0.0.0/8]",
            "listeners:",
            "  - name: inbound",
            "    address: 127.0.0.1:99999",
            "limits:",
            "  recipients: many",
            ""));

        var (exit, stdout, _) = await GatewayProcess.RunToCompletionAsync(work, null, "check", "--config", file);

        Assert.Equal(1, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"{file}:3:1: ", StringComparison.Ordinal) && l.Contains("trusted_netwrks", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:6:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:8:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_reports_a_yaml_syntax_error_with_its_position()
    {
        var work = TestDirectories.CreateTemp("gw-check");
        var file = Path.Combine(work, "gateway.yaml");
        await File.WriteAllTextAsync(file, "hostname: mx.example.test\ndomains: [example.test\n");

        var (exit, stdout, _) = await GatewayProcess.RunToCompletionAsync(work, null, "check", "--config", file);

        Assert.Equal(1, exit);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: ", stdout);
    }

    [Fact]
    public async Task Check_on_a_missing_file_exits_1_with_the_path()
    {
        var work = TestDirectories.CreateTemp("gw-check");
        var (exit, stdout, _) = await GatewayProcess.RunToCompletionAsync(work, null, "check", "--config", "nope.yaml");
        Assert.Equal(1, exit);
        Assert.Contains("nope.yaml", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_to_start_on_an_invalid_policy()
    {
        var work = TestDirectories.CreateTemp("gw-run");
        var file = Path.Combine(work, "gateway.yaml");
        await File.WriteAllTextAsync(file, "hostname: mx.example.test\nlisteners: 7\n");
        var (exit, _, stderr) = await GatewayProcess.RunToCompletionAsync(work, null, "run", "--config", file);
        Assert.Equal(1, exit);
        Assert.Contains($"{file}:2:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_on_a_taken_listener_address_names_the_listener_and_address_and_exits_1_without_a_crash()
    {
        var policy = new TestPolicy();
        using var holder = new System.Net.Sockets.TcpListener(policy.SmtpEndPoint);
        holder.Start();

        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "run", "--config", policy.MainFile);

        Assert.Equal(1, exit);
        // What Postfix says in one line ("fatal: bind 127.0.0.1 port 25: Address already in use"), with the
        // listener's name, on standard error and in the log; not a stack trace.
        Assert.Contains($"gateway: not started: listener inbound: cannot bind 127.0.0.1:{policy.SmtpPort}: address already in use", stderr, StringComparison.Ordinal);
        Assert.Contains($"listener inbound: cannot bind 127.0.0.1:{policy.SmtpPort}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SocketException", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("BackgroundService failed", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_on_a_taken_admin_address_says_so_and_stops_what_had_started_without_a_crash()
    {
        var policy = new TestPolicy();
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, policy.AdminPort);
        holder.Start();

        var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "run", "--config", policy.MainFile);

        Assert.Equal(1, exit);
        Assert.Contains($"gateway: not started: Failed to bind to address http://127.0.0.1:{policy.AdminPort}: address already in use", stderr, StringComparison.Ordinal);
        // The services that had started are stopped in order: none reports its cancellation as a crash of its own.
        Assert.DoesNotContain("BackgroundService failed", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("OperationCanceledException", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwd_prints_a_salted_slow_hash_that_the_gateway_accepts()
    {
        var work = TestDirectories.CreateTemp("gw-passwd");
        var (exit, stdout, _) = await GatewayProcess.RunToCompletionAsync(work, "s3cret-Passw0rd\n", "passwd", "alice");
        Assert.Equal(0, exit);
        var line = stdout.Trim();
        Assert.StartsWith("alice:$pbkdf2-sha256$i=", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);

        var (exit2, stdout2, _) = await GatewayProcess.RunToCompletionAsync(work, "s3cret-Passw0rd\n", "passwd", "alice");
        Assert.Equal(0, exit2);
        Assert.NotEqual(line, stdout2.Trim());
        Assert.True(Gateway.Policy.PasswordHash.Verify("s3cret-Passw0rd", line["alice:".Length..]));
    }
}
