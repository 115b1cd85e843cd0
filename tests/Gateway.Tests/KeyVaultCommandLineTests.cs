using Gateway.Host.Cli;
using Gateway.Host.Control;
using Gateway.Testing;

namespace Gateway.Tests;

/// <summary>The `keys` and `audit` command lines, the unseal options they share, and the host's auto-unseal settings.</summary>
public sealed class KeyVaultCommandLineTests
{
    [Fact]
    public void Import_keeps_the_identity_before_the_file()
    {
        var parsed = CommandLine.Parse(["keys", "import", "alice@example.test", "alice.p12", "--password-file", "pw", "-c", "x.yaml"]);
        Assert.Null(parsed.Error);
        Assert.Equal(("keys", "import"), (parsed.Command, parsed.Verb));
        Assert.Equal(["alice@example.test", "alice.p12"], parsed.Arguments);
        Assert.Equal("pw", parsed.Option("--password-file"));
        Assert.Equal("x.yaml", parsed.ConfigPath);
    }

    [Theory]
    [InlineData("keys init --shares 3")]
    [InlineData("keys recover alice@example.test")]
    [InlineData("keys import alice@example.test")]
    [InlineData("keys import alice@example.test a.p12 --password secret")]
    [InlineData("keys export-cert")]
    [InlineData("audit check")]
    public void Incomplete_or_unknown_key_commands_are_usage_errors(string line)
    {
        Assert.NotNull(CommandLine.Parse(line.Split(' ')).Error);
    }

    [Theory]
    [InlineData("keys unseal --pkcs11-token t --pkcs11-pin-file p", "need --pkcs11-module")]
    [InlineData("keys unseal --pkcs11-module m.so", "needs --pkcs11-token and --pkcs11-pin-file")]
    public void Token_options_come_together(string line, string problem)
    {
        var parsed = CommandLine.Parse(line.Split(' '));
        Assert.Null(parsed.Error);
        Assert.False(UnsealInputs.TryRead(parsed, out _, out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_options_read_the_pin_from_its_file()
    {
        var pinFile = Path.Combine(TestDirectories.CreateTemp("gw-keys"), "pin");
        File.WriteAllText(pinFile, "1234\n");
        var parsed = CommandLine.Parse(["keys", "unseal", "--pkcs11-module", "m.so", "--pkcs11-token", "vault", "--pkcs11-pin-file", pinFile]);

        Assert.True(UnsealInputs.TryRead(parsed, out var inputs, out _));
        Assert.False(inputs.UsesShares);
        Assert.Equal("1234", inputs.Token!.Pin);
        Assert.Equal(VaultHostOptions.DefaultTokenKeyLabel, inputs.Token.KeyLabel);
        Assert.DoesNotContain("1234", inputs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_unseal_options_the_shares_come_from_standard_input()
    {
        Assert.True(UnsealInputs.TryRead(CommandLine.Parse(["keys", "generate", "example.test"]), out var inputs, out _));
        Assert.True(inputs.UsesShares);
    }

    [Fact]
    public void The_gateway_auto_unseals_only_when_told_to()
    {
        Assert.False(VaultHostOptions.FromEnvironment(_ => null).AutoUnseal);
        Assert.False(VaultHostOptions.None.AutoUnseal);

        var keyFile = VaultHostOptions.FromEnvironment(name => name == "GATEWAY_VAULT_UNSEAL_KEY_FILE" ? "/secure/unseal.key" : null);
        Assert.Equal("/secure/unseal.key", keyFile.UnsealKeyFile);
        Assert.True(keyFile.AutoUnseal);

        var pinFile = Path.Combine(TestDirectories.CreateTemp("gw-keys"), "pin");
        File.WriteAllText(pinFile, "9876");
        var environment = new Dictionary<string, string>
        {
            ["GATEWAY_VAULT_PKCS11_MODULE"] = "/usr/lib/softhsm/libsofthsm2.so",
            ["GATEWAY_VAULT_PKCS11_TOKEN"] = "gateway",
            ["GATEWAY_VAULT_PKCS11_PIN_FILE"] = pinFile,
        };
        var token = VaultHostOptions.FromEnvironment(environment.GetValueOrDefault);
        Assert.Equal("9876", token.Token!.Pin);
        Assert.DoesNotContain("9876", token.ToString(), StringComparison.Ordinal);

        environment.Remove("GATEWAY_VAULT_PKCS11_PIN_FILE");
        Assert.Throws<InvalidOperationException>(() => VaultHostOptions.FromEnvironment(environment.GetValueOrDefault));
    }
}
