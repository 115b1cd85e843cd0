using System.Net;
using Gateway.Authentication.Dkim;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Testing;

namespace Gateway.Tests;

/// <summary>The signing keys a policy names are loaded with the runtime; one that does not load is an error at its `key:` node.</summary>
public sealed class AuthenticationRuntimeTests
{
    private static GatewayPolicy PolicyWith(string state, params DkimSigningKeyPolicy[] keys) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = state,
        Domains = ["example.test"],
        Listeners = [new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 2525) }],
        Authentication = new AuthenticationPolicy { Dkim = new DkimPolicy { Sign = keys } },
    };

    [Fact]
    public void Rsa_and_ed25519_keys_load_for_dual_signing()
    {
        var state = TestDirectories.CreateTemp("gw-auth");
        var rsa = Path.Combine(state, "rsa.pem");
        var ed = Path.Combine(state, "ed.pem");
        File.WriteAllText(rsa, DkimKeyGenerator.GenerateRsa().PrivateKeyPem);
        File.WriteAllText(ed, DkimKeyGenerator.GenerateEd25519().PrivateKeyPem);
        var position = new PolicyPosition("/etc/gateway/gateway.yaml", 12, 14);

        using var runtime = PolicyRuntime.TryBuild(
            PolicyWith(state, new("example.test", "r1", rsa, null, position), new("example.test", "e1", ed, DkimAlgorithm.Ed25519Sha256, position)),
            TestRuntimeServices.Create(),
            out var errors);

        Assert.Empty(errors);
        var keys = runtime!.Authentication!.KeysFor("example.test");
        Assert.Equal(["rsa-sha256", "ed25519-sha256"], keys.Select(k => k.AlgorithmName));
        Assert.Equal(2, runtime.Authentication.KeysFor("sub.example.test").Count);
        Assert.Empty(runtime.Authentication.KeysFor("other.test"));
        Assert.Equal("mx.example.test", runtime.Authentication.AuthservId);
    }

    [Fact]
    public void A_key_that_does_not_load_is_reported_at_its_position()
    {
        var state = TestDirectories.CreateTemp("gw-auth");
        var bogus = Path.Combine(state, "bogus.pem");
        File.WriteAllText(bogus, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");

        var runtime = PolicyRuntime.TryBuild(
            PolicyWith(state, new DkimSigningKeyPolicy("example.test", "s1", bogus, null, new PolicyPosition("/etc/gateway/gateway.yaml", 21, 14))),
            TestRuntimeServices.Create(),
            out var errors);

        Assert.Null(runtime);
        var error = Assert.Single(errors);
        Assert.StartsWith("/etc/gateway/gateway.yaml:21:14: cannot use the key in ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_algorithm_than_declared_is_an_error()
    {
        var state = TestDirectories.CreateTemp("gw-auth");
        var rsa = Path.Combine(state, "rsa.pem");
        File.WriteAllText(rsa, DkimKeyGenerator.GenerateRsa().PrivateKeyPem);

        var runtime = PolicyRuntime.TryBuild(
            PolicyWith(state, new DkimSigningKeyPolicy("example.test", "s1", rsa, DkimAlgorithm.Ed25519Sha256, new PolicyPosition("g.yaml", 3, 9))),
            TestRuntimeServices.Create(),
            out var errors);

        Assert.Null(runtime);
        Assert.Contains("is rsa-sha256, not ed25519-sha256", Assert.Single(errors).Message, StringComparison.Ordinal);
    }
}
