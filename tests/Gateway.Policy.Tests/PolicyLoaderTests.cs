using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.Policy.Tests;

public sealed class PolicyLoaderTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private PolicyError SingleError(string text)
    {
        var result = _files.Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Policy);
        return Assert.Single(result.Errors);
    }

    private void AssertError(string text, int line, int column, string messagePart, string file = "gateway.yaml")
    {
        var error = SingleError(text);
        Assert.Equal(_files.PathOf(file), error.File);
        Assert.True(line == error.Line && column == error.Column, $"expected {line}:{column}, got {error}");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_default_policy_loads()
    {
        var path = Path.Combine(PolicyFiles.RepositoryRoot(), "policies", "gateway.yaml");
        var result = PolicyLoader.Load(path);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        var policy = result.Policy!;
        Assert.Equal("mx.gateway.test", policy.HostName);
        Assert.Equal(["example.test"], policy.Domains);
        Assert.Equal([IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")], policy.TrustedNetworks);
        Assert.Equal(Path.Combine(PolicyFiles.RepositoryRoot(), "var"), policy.StateDirectory);
        var listener = Assert.Single(policy.Listeners);
        Assert.Equal("inbound", listener.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2525), listener.EndPoint);
        Assert.Equal(ListenerTls.StartTls, listener.Tls);
        Assert.True(listener.Auth);
        Assert.True(policy.Tls.AutoCertificate);
        Assert.Null(policy.Auth.CredentialsFile);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8025), policy.Admin.Listen);
        Assert.Equal(LogFormat.Json, policy.Logging.Format);
        Assert.Equal([Path.GetFullPath(path)], policy.SourceFiles);
    }

    [Fact]
    public void Minimal_policy_gets_the_documented_defaults()
    {
        var result = _files.Load(PolicyFiles.Minimal);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        var policy = result.Policy!;
        Assert.Empty(policy.Domains);
        Assert.Empty(policy.TrustedNetworks);
        Assert.Equal(_files.PathOf("var"), policy.StateDirectory);
        var listener = Assert.Single(policy.Listeners);
        Assert.Equal(ListenerTls.StartTls, listener.Tls);
        Assert.False(listener.RequireTls);
        Assert.True(listener.Auth);
        Assert.Equal(ListenerProxyProtocol.Off, listener.ProxyProtocol);
        Assert.Equal(TimeSpan.Zero, listener.PregreetDelay);
        Assert.True(listener.RejectEarlyTalkers);
        Assert.True(policy.Auth.AllowRelay);
        Assert.True(policy.Relay.RejectRoutingLocalParts);
        Assert.True(policy.Smtp.VrfyEnabled);
        Assert.Equal(512, policy.Limits.CommandLineLength);
        Assert.Equal(1000, policy.Limits.TextLineLength);
        Assert.Equal(256, policy.Limits.PathLength);
        Assert.Equal(100, policy.Limits.Recipients);
        Assert.Equal(36_700_160, policy.Limits.MessageSize);
        Assert.Equal(1000, policy.Limits.Connections);
        Assert.Equal(50, policy.Limits.ConnectionsPerIp);
        Assert.Equal(10, policy.Limits.Errors);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Limits.Timeouts.Greeting);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Limits.Timeouts.Command);
        Assert.Equal(TimeSpan.FromMinutes(3), policy.Limits.Timeouts.DataBlock);
        Assert.Equal(TimeSpan.FromMinutes(10), policy.Limits.Timeouts.DataTermination);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.Limits.Timeouts.TlsHandshake);
        Assert.Equal(TimeSpan.FromMinutes(30), policy.Limits.Timeouts.Session);
        Assert.Equal(LogLevel.Information, policy.Logging.LogLevel);
        Assert.Equal([_files.PathOf("gateway.yaml")], policy.SourceFiles);
    }

    [Fact]
    public void Full_policy_reads_every_key()
    {
        _files.Write("certs/server.pem", "pem");
        _files.Write("users", "alice:" + PasswordHash.Create("pw", 1000) + "\n");
        var result = _files.Load("""
            hostname: MX.Example.TEST
            domains: [Example.TEST, bücher.example]
            trusted_networks: [10.1.0.0/16, "2001:db8::/32", 192.0.2.7]
            state_directory: /tmp/gateway-state
            listeners:
              - name: mx
                address: "[::1]:25"
                tls: implicit
                require_tls: true
                auth: false
                proxy_protocol: v2
                trusted_proxies: [10.0.0.1]
                pregreet_delay: 1500ms
                reject_early_talkers: false
              - name: submission
                address: 0.0.0.0:587
                tls: starttls
            tls:
              certificate: certs/server.pem
              key: certs/server.pem
            auth:
              credentials_file: users
              allow_relay: false
            relay:
              reject_routing_local_parts: false
            smtp:
              vrfy: disabled
            limits:
              command_line: 1024
              text_line: 2000
              path: 512
              recipients: 5
              message_size: 10MB
              connections: 10
              connections_per_ip: 2
              errors: 3
              timeouts:
                greeting: 10s
                command: 1m
                data_block: 2m
                data_termination: 1h
                tls_handshake: 5s
                session: 1d
            admin:
              listen: "[::1]:9000"
            logging:
              format: text
              level: debug
            """);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        var p = result.Policy!;
        Assert.Equal("mx.example.test", p.HostName);
        Assert.Equal(["example.test", "xn--bcher-kva.example"], p.Domains);
        Assert.Equal([IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("192.0.2.7/32")], p.TrustedNetworks);
        Assert.Equal("/tmp/gateway-state", p.StateDirectory);
        Assert.Equal(2, p.Listeners.Count);
        var mx = p.Listeners[0];
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 25), mx.EndPoint);
        Assert.Equal(ListenerTls.Implicit, mx.Tls);
        Assert.True(mx.RequireTls);
        Assert.False(mx.Auth);
        Assert.Equal(ListenerProxyProtocol.V2, mx.ProxyProtocol);
        Assert.Equal([IPNetwork.Parse("10.0.0.1/32")], mx.TrustedProxies);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), mx.PregreetDelay);
        Assert.False(mx.RejectEarlyTalkers);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 587), p.Listeners[1].EndPoint);
        Assert.False(p.Tls.AutoCertificate);
        Assert.Equal(_files.PathOf("certs/server.pem"), p.Tls.CertificateFile);
        Assert.Equal(_files.PathOf("certs/server.pem"), p.Tls.KeyFile);
        Assert.Equal(_files.PathOf("users"), p.Auth.CredentialsFile);
        Assert.False(p.Auth.AllowRelay);
        Assert.False(p.Relay.RejectRoutingLocalParts);
        Assert.False(p.Smtp.VrfyEnabled);
        Assert.Equal(1024, p.Limits.CommandLineLength);
        Assert.Equal(2000, p.Limits.TextLineLength);
        Assert.Equal(512, p.Limits.PathLength);
        Assert.Equal(5, p.Limits.Recipients);
        Assert.Equal(10_000_000, p.Limits.MessageSize);
        Assert.Equal(10, p.Limits.Connections);
        Assert.Equal(2, p.Limits.ConnectionsPerIp);
        Assert.Equal(3, p.Limits.Errors);
        Assert.Equal(TimeSpan.FromSeconds(10), p.Limits.Timeouts.Greeting);
        Assert.Equal(TimeSpan.FromMinutes(1), p.Limits.Timeouts.Command);
        Assert.Equal(TimeSpan.FromMinutes(2), p.Limits.Timeouts.DataBlock);
        Assert.Equal(TimeSpan.FromHours(1), p.Limits.Timeouts.DataTermination);
        Assert.Equal(TimeSpan.FromSeconds(5), p.Limits.Timeouts.TlsHandshake);
        Assert.Equal(TimeSpan.FromDays(1), p.Limits.Timeouts.Session);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), p.Admin.Listen);
        Assert.Equal(LogFormat.Text, p.Logging.Format);
        Assert.Equal(LogLevel.Debug, p.Logging.LogLevel);
        Assert.Equal([_files.PathOf("gateway.yaml"), _files.PathOf("users")], p.SourceFiles);
    }

    [Fact]
    public void Null_values_mean_the_default()
    {
        var result = _files.Load(PolicyFiles.Minimal + """
            domains:
            tls:
              certificate: ~
              key: null
            limits:
              recipients: null
            """);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Empty(result.Policy!.Domains);
        Assert.True(result.Policy.Tls.AutoCertificate);
        Assert.Equal(100, result.Policy.Limits.Recipients);
    }

    [Fact]
    public void Listener_auth_without_credentials_file_is_not_an_error()
    {
        var result = _files.Load(PolicyFiles.Minimal.Replace("2525", "2525\n    auth: true", StringComparison.Ordinal));

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.True(result.Policy!.Listeners[0].Auth);
        Assert.Null(result.Policy.Auth.CredentialsFile);
    }

    [Fact]
    public void Missing_main_file_is_an_error_at_1_1()
    {
        var result = PolicyLoader.Load(_files.PathOf("absent.yaml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{_files.PathOf("absent.yaml")}:1:1: file not found", error.ToString());
    }

    [Fact]
    public void Main_path_that_is_a_directory_is_an_error_not_an_exception()
    {
        var result = PolicyLoader.Load(_files.Directory);

        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_an_error() => AssertError("", 1, 1, "policy file is empty");

    [Fact]
    public void Comment_only_file_is_an_error() => AssertError("# nothing here\n", 1, 1, "policy file is empty");

    [Fact]
    public void Invalid_utf8_is_an_error()
    {
        File.WriteAllBytes(_files.PathOf("gateway.yaml"), [(byte)'a', 0xFF, (byte)':', (byte)' ', (byte)'b']);

        var error = Assert.Single(PolicyLoader.Load(_files.PathOf("gateway.yaml")).Errors);
        Assert.Equal("file is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Oversized_file_is_refused()
    {
        File.WriteAllText(_files.PathOf("gateway.yaml"), "# " + new string('x', 1024 * 1024));

        var error = Assert.Single(PolicyLoader.Load(_files.PathOf("gateway.yaml")).Errors);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_order_mark_is_accepted_and_columns_stay_right()
    {
        File.WriteAllText(_files.PathOf("gateway.yaml"), "\uFEFFhostnam: x\n", new System.Text.UTF8Encoding(true));

        var errors = PolicyLoader.Load(_files.PathOf("gateway.yaml")).Errors;
        var unknown = Assert.Single(errors, e => e.Message.StartsWith("unknown key", StringComparison.Ordinal));
        Assert.Equal((1, 1), (unknown.Line, unknown.Column));
    }

    [Fact]
    public void Yaml_syntax_error_is_reported_at_its_mark()
    {
        var error = SingleError("hostname: mx.example.test\nlisteners: [a, b\n");

        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void Bad_indentation_is_a_syntax_error_with_position()
    {
        var error = SingleError("hostname: a.test\n  domains: x\n");

        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Top_level_must_be_a_mapping() => AssertError("- a\n- b\n", 1, 1, "must be a mapping of keys, found a sequence");

    [Fact]
    public void Top_level_scalar_is_refused() => AssertError("just text\n", 1, 1, "must be a mapping of keys, found 'just text'");

    [Fact]
    public void Explicit_document_markers_and_quoted_keys_are_fine()
    {
        var result = _files.Load("---\n\"hostname\": 'mx.example.test'\n" + PolicyFiles.Minimal[(PolicyFiles.Minimal.IndexOf('\n', StringComparison.Ordinal) + 1)..] + "...\n");

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal("mx.example.test", result.Policy!.HostName);
    }

    [Fact]
    public void Long_values_are_shortened_in_messages()
    {
        var error = SingleError(PolicyFiles.Minimal + "smtp:\n  vrfy: " + new string('x', 500) + "\n");

        Assert.True(error.Message.Length < 200, error.Message);
        Assert.Contains("...", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Second_document_is_refused() => AssertError(PolicyFiles.Minimal + "---\nhostname: b.test\n", 5, 1, "exactly one YAML document");

    [Fact]
    public void Duplicate_key_in_one_mapping_names_the_first()
        => AssertError(PolicyFiles.Minimal + "hostname: other.test\n", 5, 1, "duplicate key 'hostname' (first defined at line 1, column 1)");

    [Fact]
    public void Duplicate_nested_key_is_reported_at_the_second()
        => AssertError(PolicyFiles.Minimal + "limits:\n  errors: 5\n  errors: 6\n", 7, 3, "duplicate key 'errors'");

    [Fact]
    public void Anchors_and_aliases_are_refused()
    {
        var result = _files.Load(PolicyFiles.Minimal + "domains: &d [a.test]\ntrusted_networks: *d\n");

        Assert.Collection(
            result.Errors,
            e => Assert.Equal((5, 10, "YAML anchors (&name) are not supported in policy files"), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((6, 19, "YAML aliases (*name) are not supported in policy files"), (e.Line, e.Column, e.Message)));
    }

    [Fact]
    public void Tags_are_refused() => AssertError(PolicyFiles.Minimal + "domains: !!seq [a.test]\n", 5, 10, "YAML tags");

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        var error = SingleError(PolicyFiles.Minimal + "limits: " + new string('[', 40) + new string(']', 40) + "\n");

        Assert.Contains("nesting deeper than 32 levels", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Unknown_top_level_key_suggests_the_closest()
        => AssertError(PolicyFiles.Minimal + "domians: [a.test]\n", 5, 1, "unknown key 'domians' at the top level; did you mean 'domains'?");

    [Fact]
    public void Unknown_nested_key_names_its_section()
        => AssertError(PolicyFiles.Minimal + "limits:\n  timeouts:\n    comand: 5m\n", 7, 5, "unknown key 'comand' in limits.timeouts; did you mean 'command'?");

    [Fact]
    public void Unknown_listener_key_names_the_listener_index()
        => AssertError(PolicyFiles.Minimal + "    tsl: none\n", 5, 5, "unknown key 'tsl' in listeners[0]; did you mean 'tls'?");

    [Fact]
    public void Unknown_key_without_close_candidate_has_no_hint()
    {
        var error = SingleError(PolicyFiles.Minimal + "frobnicate: 1\n");

        Assert.Equal("unknown key 'frobnicate' at the top level", error.Message);
    }

    [Fact]
    public void Missing_hostname_is_reported() => AssertError("listeners:\n  - name: a\n    address: 127.0.0.1:25\n", 1, 1, "hostname is required");

    [Theory]
    [InlineData("localhost", "not a fully qualified domain name")]
    [InlineData("mx.example.test.", "without a trailing dot")]
    [InlineData("mx_1.example.test", "not a valid domain name")]
    [InlineData("-mx.example.test", "not a valid domain name")]
    [InlineData("192.0.2.1", "numeric top-level label")]
    [InlineData("a..test", "not a valid domain name")]
    public void Invalid_hostname_is_reported_at_the_value(string hostName, string messagePart)
        => AssertError(PolicyFiles.Minimal.Replace("mx.example.test", hostName, StringComparison.Ordinal), 1, 11, messagePart);

    [Fact]
    public void Overlong_label_is_refused()
        => AssertError(PolicyFiles.Minimal + $"domains: [{new string('a', 64)}.test]\n", 5, 11, "not a valid domain name");

    [Fact]
    public void Hostname_as_a_sequence_is_a_type_error()
        => AssertError(PolicyFiles.Minimal.Replace("hostname: mx.example.test", "hostname: [a.test]", StringComparison.Ordinal), 1, 11, "hostname: expected a string, found a sequence");

    [Fact]
    public void Domains_as_a_scalar_is_a_type_error()
        => AssertError(PolicyFiles.Minimal + "domains: example.test\n", 5, 10, "domains: expected a sequence, found 'example.test'");

    [Fact]
    public void Duplicate_domains_after_canonicalisation_are_refused()
        => AssertError(PolicyFiles.Minimal + "domains:\n  - example.test\n  - EXAMPLE.test\n", 7, 5, "domains[1]: domain 'example.test' is listed twice (first at line 6, column 5)");

    [Fact]
    public void Idn_duplicate_of_its_a_label_is_refused()
        => AssertError(PolicyFiles.Minimal + "domains: [xn--bcher-kva.example, Bücher.example]\n", 5, 34, "listed twice");

    [Fact]
    public void No_listeners_is_an_error()
        => AssertError("hostname: mx.example.test\n", 1, 1, "listeners: at least one listener is required");

    [Fact]
    public void Empty_listener_list_is_an_error_at_the_list()
        => AssertError("hostname: mx.example.test\nlisteners: []\n", 2, 12, "at least one listener is required");

    [Fact]
    public void Listener_needs_name_and_address()
    {
        var result = _files.Load("hostname: mx.example.test\nlisteners:\n  - tls: none\n");

        Assert.Equal(
            ["gateway.yaml:3:5: listeners[0].name is required", "gateway.yaml:3:5: listeners[0].address is required"],
            result.Errors.Select(e => $"{Path.GetFileName(e.File)}:{e.Line}:{e.Column}: {e.Message}"));
    }

    [Fact]
    public void Listener_name_is_restricted()
        => AssertError(PolicyFiles.Minimal.Replace("name: inbound", "name: In_Bound", StringComparison.Ordinal), 3, 11, "must be 1-64 characters of a-z, 0-9 and '-'");

    [Fact]
    public void Duplicate_listener_name_and_address_are_refused()
    {
        var result = _files.Load(PolicyFiles.Minimal + "  - name: inbound\n    address: 127.0.0.1:2525\n");

        Assert.Collection(
            result.Errors,
            e => Assert.Equal((5, 11, "listeners[1].name: listener name 'inbound' is already used (first at line 3, column 11)"), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((6, 14, "listeners[1].address: 127.0.0.1:2525 is already used by listener 'inbound' (line 4, column 14)"), (e.Line, e.Column, e.Message)));
    }

    [Theory]
    [InlineData("127.0.0.1", "has no port")]
    [InlineData("127.0.0.1:0", "invalid port")]
    [InlineData("127.0.0.1:65536", "invalid port")]
    [InlineData("127.0.0.1:025", "invalid port")]
    [InlineData("localhost:25", "not a valid IP address")]
    [InlineData("127.1:25", "not a valid IP address")]
    [InlineData("::1:25", "write IPv6 endpoints as [address]:port")]
    [InlineData("[127.0.0.1]:25", "brackets are only for IPv6")]
    [InlineData("[::1]25", "expected [IPv6]:port")]
    [InlineData("[fe80::1%eth0]:25", "zone indexes")]
    public void Bad_listener_address_is_reported_at_the_value(string address, string messagePart)
        => AssertError(PolicyFiles.Minimal.Replace("127.0.0.1:2525", $"\"{address}\"", StringComparison.Ordinal), 4, 14, messagePart);

    [Fact]
    public void Bad_enum_lists_the_allowed_values()
        => AssertError(PolicyFiles.Minimal + "    tls: startls\n", 5, 10, "listeners[0].tls: 'startls' is not one of none, starttls, implicit; did you mean 'starttls'?");

    [Fact]
    public void Enum_given_a_mapping_is_a_type_error()
        => AssertError(PolicyFiles.Minimal + "smtp:\n  vrfy: {a: b}\n", 6, 9, "smtp.vrfy: expected one of reply_252, disabled, found a mapping");

    [Fact]
    public void Yaml_1_1_booleans_are_not_booleans()
        => AssertError(PolicyFiles.Minimal + "    require_tls: yes\n", 5, 18, "listeners[0].require_tls: expected true or false, found 'yes'");

    [Fact]
    public void Quoted_boolean_is_a_string_not_a_boolean()
        => AssertError(PolicyFiles.Minimal + "    auth: \"true\"\n", 5, 11, "expected true or false, found the string \"true\"");

    [Fact]
    public void Require_auth_is_read_for_a_submission_listener()
    {
        _files.Write("users", "alice:" + PasswordHash.Create("pw", 1000) + "\n");
        var result = _files.Load(PolicyFiles.Minimal + "    require_auth: true\nauth:\n  credentials_file: users\n");

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.True(result.Policy!.Listeners[0].RequireAuth);
    }

    [Fact]
    public void Require_auth_without_tls_is_refused()
        => AssertError(PolicyFiles.Minimal + "    tls: none\n    require_auth: true\n", 6, 19, "needs tls: starttls or implicit on this listener (AUTH is offered only inside TLS)");

    [Fact]
    public void Require_auth_on_a_listener_without_auth_is_refused()
        => AssertError(PolicyFiles.Minimal + "    auth: false\n    require_auth: true\n", 6, 19, "listeners[0].require_auth: needs auth: true on this listener");

    [Fact]
    public void Require_auth_without_a_credentials_file_is_refused()
        => AssertError(PolicyFiles.Minimal + "    require_auth: true\n", 5, 19, "listeners[0].require_auth: needs auth.credentials_file");

    [Fact]
    public void A_missing_credentials_file_is_one_error_not_also_a_require_auth_error()
        => AssertError(PolicyFiles.Minimal + "    require_auth: true\nauth:\n  credentials_file: no-such-file\n", 7, 21, "no-such-file");

    [Fact]
    public void Require_tls_without_tls_is_refused()
        => AssertError(PolicyFiles.Minimal + "    tls: none\n    require_tls: true\n", 6, 18, "needs tls: starttls or implicit");

    [Fact]
    public void Proxy_protocol_needs_trusted_proxies()
        => AssertError(PolicyFiles.Minimal + "    proxy_protocol: any\n", 5, 21, "needs a non-empty trusted_proxies list");

    [Theory]
    [InlineData("command_line: 511", "511 is out of range 512..4096")]
    [InlineData("command_line: 4097", "out of range 512..4096")]
    [InlineData("text_line: 999", "out of range 1000..100000")]
    [InlineData("path: 4097", "out of range 256..4096")]
    [InlineData("recipients: 0", "out of range 1..100000")]
    [InlineData("recipients: -1", "-1 is out of range")]
    [InlineData("errors: 99999999999999999999", "out of range 1..1000")]
    [InlineData("connections: 1e3", "expected an integer, found '1e3'")]
    [InlineData("connections_per_ip: 0x10", "expected an integer")]
    [InlineData("connections: \"10\"", "expected an integer, found the string \"10\"")]
    [InlineData("errors: 1.5", "expected an integer")]
    [InlineData("message_size: 1023", "1023 is out of range 1KiB..2GiB")]
    [InlineData("message_size: 3GiB", "out of range 1KiB..2GiB")]
    [InlineData("message_size: 35mb", "unknown unit 'mb'")]
    [InlineData("message_size: 35 MiB", "unknown unit ' MiB'")]
    [InlineData("message_size: 99999999999999999999GiB", "too large")]
    [InlineData("message_size: MiB", "is not a size")]
    public void Limit_errors_point_at_the_value(string line, string messagePart)
        => AssertError(PolicyFiles.Minimal + "limits:\n  " + line + "\n", 6, 3 + line.IndexOf(':', StringComparison.Ordinal) + 2, messagePart);

    [Theory]
    [InlineData("greeting: 0s", "0s is out of range 1s..1h")]
    [InlineData("command: 2h", "out of range 1s..1h")]
    [InlineData("session: 25h", "out of range 1s..1d")]
    [InlineData("data_block: 5", "has no unit")]
    [InlineData("data_block: 5min", "unknown unit 'min'")]
    [InlineData("tls_handshake: -5s", "is not a duration")]
    [InlineData("tls_handshake: 99999999999999999999d", "too large")]
    [InlineData("tls_handshake: 999999999999d", "too large")]
    public void Timeout_errors_point_at_the_value(string line, string messagePart)
        => AssertError(PolicyFiles.Minimal + "limits:\n  timeouts:\n    " + line + "\n", 7, 5 + line.IndexOf(':', StringComparison.Ordinal) + 2, messagePart);

    [Fact]
    public void Pregreet_delay_range_is_checked()
        => AssertError(PolicyFiles.Minimal + "    pregreet_delay: 2m\n", 5, 21, "0s..1m");

    [Theory]
    [InlineData("10.1.2.3/16", "has host bits set; did you mean '10.1.0.0/16'?")]
    [InlineData("10.1.0.0/33", "invalid prefix length (0-32)")]
    [InlineData("10.1.0.0/", "invalid prefix length")]
    [InlineData("10.1.0.0/08", "invalid prefix length")]
    [InlineData("2001:db8::1/32", "has host bits set; did you mean '2001:db8::/32'?")]
    [InlineData("2001:db8::/129", "invalid prefix length (0-128)")]
    [InlineData("::ffff:10.0.0.0/104", "IPv4-mapped")]
    [InlineData("10.0.0.256/32", "above 255")]
    [InlineData("010.0.0.0/8", "without leading zeros")]
    [InlineData("10/8", "four decimal octets")]
    [InlineData("example.test", "four decimal octets")]
    [InlineData("2001:db8:::/48", "not a valid IPv6 address")]
    [InlineData("0.0.0.0/0", "'0.0.0.0/0' trusts every address on the internet to relay: the gateway would be an open relay")]
    [InlineData("::/0", "open relay")]
    [InlineData("128.0.0.0/1", "'128.0.0.0/1' trusts a /1 of the internet to relay")]
    [InlineData("2000::/3", "open relay")]
    public void Bad_trusted_network_is_reported_at_the_item(string cidr, string messagePart)
        => AssertError(PolicyFiles.Minimal + $"trusted_networks:\n  - \"{cidr}\"\n", 6, 5, messagePart);

    [Theory]
    [InlineData("limits: {errors: 5\nfoo: 1\n", 6, 1, "is a [ or { left unclosed above?")]
    [InlineData("trusted_networks:\n  - [broken\nfoo: 1\n", 7, 1, "is a [ or { left unclosed above?")]
    [InlineData("trusted_networks:\n\t- 10.0.0.0/8\n", 6, 1, "a tab in the indentation; indent with spaces")]
    [InlineData("limits:\n  errors: 5\n  \tmax_recipients: 9\n", 7, 3, "a tab in the indentation")]
    public void Yaml_the_parser_cannot_read_is_reported_where_it_is_not_at_the_top(string tail, int line, int column, string messagePart)
        => AssertError(PolicyFiles.Minimal + tail, line, column, messagePart);

    [Fact]
    public void The_same_listeners_read_twice_are_equal_and_a_changed_one_is_not()
    {
        const string Listeners = """
            listeners:
              - name: mx
                address: 127.0.0.1:2525
                proxy_protocol: v2
                trusted_proxies: [10.0.0.1, "2001:db8::/64"]

            """;
        var first = _files.Load("hostname: mx.example.test\n" + Listeners).Policy!.Listeners;
        var again = _files.Load("hostname: mx.example.test\n" + Listeners).Policy!.Listeners;
        var changed = _files.Load("hostname: mx.example.test\n" + Listeners.Replace("10.0.0.1", "10.0.0.2", StringComparison.Ordinal)).Policy!.Listeners;

        // A reload with no listener change must not ask for a restart (event 107).
        Assert.True(first.SequenceEqual(again));
        Assert.Equal(first[0].GetHashCode(), again[0].GetHashCode());
        Assert.False(first.SequenceEqual(changed));
    }

    [Fact]
    public void Wide_private_networks_may_be_trusted()
    {
        var result = _files.Load(PolicyFiles.Minimal + "trusted_networks: [10.0.0.0/8, 172.16.0.0/12, \"fc00::/7\", 100.64.0.0/10, 203.0.113.0/24]\n");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Certificate_file_must_exist_and_needs_a_key()
    {
        var result = _files.Load(PolicyFiles.Minimal + "tls:\n  certificate: missing.pem\n");

        Assert.Collection(
            result.Errors,
            e => Assert.Equal((6, 16, $"tls.certificate: file '{_files.PathOf("missing.pem")}' does not exist"), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((6, 16, "tls.key is required when tls.certificate is a file (it may name the same file)"), (e.Line, e.Column, e.Message)));
    }

    [Fact]
    public void Key_with_auto_certificate_is_refused()
        => AssertError(PolicyFiles.Minimal + "tls:\n  key: k.pem\n", 6, 8, "only used with a certificate file");

    [Fact]
    public void Credentials_file_must_exist()
        => AssertError(PolicyFiles.Minimal + "auth:\n  credentials_file: users.txt\n", 6, 21, "does not exist");

    [Fact]
    public void Credentials_file_errors_join_the_policy_errors()
    {
        _files.Write("users", "alice:nothash\n");

        var error = SingleError(PolicyFiles.Minimal + "auth:\n  credentials_file: users\n");

        Assert.Equal(_files.PathOf("users"), error.File);
        Assert.Equal((1, 7), (error.Line, error.Column));
        Assert.StartsWith("malformed password hash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_directory_that_is_a_file_is_refused()
    {
        _files.Write("state", "x");

        AssertError(PolicyFiles.Minimal + "state_directory: state\n", 5, 18, "is a file, not a directory");
    }

    [Fact]
    public void Admin_listen_cannot_share_a_listener_address()
        => AssertError(PolicyFiles.Minimal + "admin:\n  listen: 127.0.0.1:2525\n", 6, 11, "also the address of listener 'inbound'");

    [Fact]
    public void Default_admin_address_cannot_share_a_listener_address()
        => AssertError(PolicyFiles.Minimal.Replace("2525", "8025", StringComparison.Ordinal), 1, 1, "admin.listen 127.0.0.1:8025 is also the address of listener 'inbound'");

    [Fact]
    public void Section_given_a_scalar_is_a_type_error()
        => AssertError(PolicyFiles.Minimal + "limits: 5\n", 5, 9, "limits: expected a mapping, found '5'");

    [Fact]
    public void Control_characters_in_strings_are_refused()
        => AssertError(PolicyFiles.Minimal + "state_directory: \"a\\tb\"\n", 5, 18, "control characters are not allowed");

    [Fact]
    public void Logging_level_is_checked()
        => AssertError(PolicyFiles.Minimal + "logging:\n  level: verbose\n", 6, 10, "is not one of trace, debug, information, warning, error, critical");

    [Fact]
    public void All_errors_are_collected_in_one_pass()
    {
        var result = _files.Load("""
            hostnme: mx.example.test
            domains: [a.test, a.test]
            trusted_networks: [10.0.0.1/8]
            listeners:
              - name: x
                address: 127.0.0.1:99999
                tls: maybe
            limits:
              command_line: 10
              message_size: 5XB
              timeouts:
                session: 2d
            logging:
              format: xml
            """);

        Assert.Equal(
            [
                "1:1: unknown key 'hostnme' at the top level; did you mean 'hostname'?",
                "1:1: hostname is required",
                "2:19: domains[1]: domain 'a.test' is listed twice (first at line 2, column 11)",
                "3:20: trusted_networks[0]: '10.0.0.1/8' has host bits set; did you mean '10.0.0.0/8'?",
                "6:14: listeners[0].address: '127.0.0.1:99999' has an invalid port (1-65535)",
                "7:10: listeners[0].tls: 'maybe' is not one of none, starttls, implicit",
                "9:17: limits.command_line: 10 is out of range 512..4096",
                "10:17: limits.message_size: '5XB' has an unknown unit 'XB'; expected " + "an integer number of octets, optionally with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. 35MiB)",
                "12:14: limits.timeouts.session: 2d is out of range 1s..1d",
                "14:11: logging.format: 'xml' is not one of json, text",
            ],
            result.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}"));
        Assert.All(result.Errors, e => Assert.Equal(_files.PathOf("gateway.yaml"), e.File));
    }

    [Fact]
    public void Error_to_string_is_file_line_column_message()
    {
        var error = new PolicyError("/etc/gateway/gateway.yaml", 12, 7, "bad");

        Assert.Equal("/etc/gateway/gateway.yaml:12:7: bad", error.ToString());
    }
}
