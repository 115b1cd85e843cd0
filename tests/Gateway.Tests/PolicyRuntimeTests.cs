using System.Net;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Testing;

namespace Gateway.Tests;

public sealed class PolicyRuntimeTests
{
    private static GatewayPolicy PolicyIn(string stateDirectory) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = stateDirectory,
        Domains = ["example.test"],
        Listeners = [new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 2525) }],
        Limits = new LimitsPolicy { Recipients = 7, MessageSize = 12345, Errors = 3 },
    };

    [Fact]
    public void Auto_certificate_is_created_once_and_reused()
    {
        var state = TestDirectories.CreateTemp("gw-runtime");
        using var first = PolicyRuntime.TryBuild(PolicyIn(state), TestRuntimeServices.Create(), out var errors1);
        Assert.Empty(errors1);
        Assert.NotNull(first!.Certificates!.All[0].Certificate);
        Assert.True(first.Certificates.All[0].Certificate.HasPrivateKey);
        Assert.Contains("mx.example.test", first.Certificates.All[0].Certificate.Subject, StringComparison.Ordinal);

        var file = Path.Combine(state, "tls", "selfsigned.pem");
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        using var second = PolicyRuntime.TryBuild(PolicyIn(state), TestRuntimeServices.Create(), out _);
        Assert.Equal(first.Certificates.All[0].Certificate.Thumbprint, second!.Certificates!.All[0].Certificate.Thumbprint);
    }

    [Fact]
    public void A_certificate_file_that_does_not_load_is_an_error_not_a_crash()
    {
        var state = TestDirectories.CreateTemp("gw-runtime");
        var bogus = Path.Combine(state, "cert.pem");
        File.WriteAllText(bogus, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var policy = PolicyIn(state) with { Tls = new TlsPolicy { AutoCertificate = false, Certificates = [new ServerCertificatePolicy { CertificateFile = bogus, KeyFile = bogus }] } };

        var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out var errors);

        Assert.Null(runtime);
        Assert.Contains(errors, e => e.Message.Contains("certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void Session_options_carry_the_policy_limits()
    {
        var state = TestDirectories.CreateTemp("gw-runtime");
        var policy = PolicyIn(state);
        using var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out _)!;
        var options = runtime.SessionOptions(policy.Listeners[0]);
        Assert.Equal("mx.example.test", options.HostName);
        Assert.Equal(7, options.MaxRecipients);
        Assert.Equal(12345, options.MaxMessageSize);
        Assert.Equal(3, options.MaxErrors);
        Assert.NotNull(options.Certificates);
        Assert.False(options.AuthEnabled);
    }

    [Fact]
    public void A_listener_without_tls_gets_no_certificate()
    {
        var state = TestDirectories.CreateTemp("gw-runtime");
        var policy = PolicyIn(state);
        using var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out _)!;
        var options = runtime.SessionOptions(policy.Listeners[0] with { Tls = ListenerTls.None });
        Assert.Null(options.Certificates);
    }
}
