using System.Net;
using Gateway.Host.Admin;
using Gateway.Host.Cli;
using Gateway.Policy;
using Gateway.Smime.Vault;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.X509;

namespace Gateway.Tests.Smime;

/// <summary>`gateway ca ...` and `gateway keys issue|revoke` end to end in a temp state directory, and the admin endpoint serving the CRL.</summary>
public sealed class CaCommandTests : IDisposable
{
    private readonly string _directory = TestDirectories.CreateTemp("gw-ca-cli");
    private readonly string _config;
    private readonly string _keyFile;

    public CaCommandTests()
    {
        _config = Path.Combine(_directory, "gateway.yaml");
        _keyFile = Path.Combine(_directory, "unseal.key");
        File.WriteAllText(_config, string.Join('\n',
            "hostname: mx.example.test",
            "state_directory: var",
            "listeners:",
            "  - name: inbound",
            "    address: 127.0.0.1:2525",
            ""));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Init_issue_revoke_and_crl_work_from_the_command_line()
    {
        var shares = await NewVaultAsync();

        var init = await RunAsync(null, "ca", "init", "--config", _config, "--algorithm", "p256", "--subject", "CN=Example Mail CA", "--unseal-key-file", _keyFile);
        Assert.True(init.Exit == 0, init.Error);
        var caId = Field(init.Output, "ca id");
        Assert.Contains("-----BEGIN CERTIFICATE-----", init.Output, StringComparison.Ordinal);
        Assert.Equal($"http://mx.example.test:8025/smime/crl/{caId}.crl (file {CrlPath(caId)})", Field(init.Output, "crl"));

        var alice = await RunAsync(null, "keys", "issue", "alice@example.test", "--config", _config, "--algorithm", "p256", "--unseal-key-file", _keyFile);
        Assert.True(alice.Exit == 0, alice.Error);
        Assert.Equal("alice@example.test", Field(alice.Output, "identity"));

        // Officer shares on standard input instead of the key file.
        var bob = await RunAsync($"{shares[0]}\n{shares[2]}\n", "keys", "issue", "Bob@Example.test", "--config", _config, "--algorithm", "rsa2048");
        Assert.True(bob.Exit == 0, bob.Error);
        Assert.Contains("enter 2 officer shares", bob.Error, StringComparison.Ordinal);

        var revoke = await RunAsync(null, "keys", "revoke", "alice@example.test", "--config", _config, "--reason", "keyCompromise", "--unseal-key-file", _keyFile);
        Assert.True(revoke.Exit == 0, revoke.Error);
        Assert.Contains($"serial {Field(alice.Output, "serial")} (keyCompromise)", revoke.Output, StringComparison.Ordinal);

        var crl = await RunAsync(null, "ca", "crl", "--config", _config, "--unseal-key-file", _keyFile);
        Assert.True(crl.Exit == 0, crl.Error);
        Assert.Equal(CrlPath(caId), crl.Output.Split('\n')[0]);
        Assert.Contains("crl number 3, 1 revoked", crl.Output, StringComparison.Ordinal);

        var list = new X509CrlParser().ReadCrl(await File.ReadAllBytesAsync(CrlPath(caId)));
        using var vault = new KeyVault(Path.Combine(_directory, "var", "smime", "vault"), TimeProvider.System);
        Assert.True(list.IsRevoked(await LeafAsync(vault, "alice@example.test")));
        Assert.False(list.IsRevoked(await LeafAsync(vault, "bob@example.test")));
        Assert.True((await vault.Audit.VerifyAsync(default)).IsIntact);

        // The CLI sealed its own vault again each time, and the audit log says who did it.
        var log = await File.ReadAllTextAsync(vault.Audit.Path);
        Assert.Contains($"\"actor\":\"{Gateway.Host.Cli.CliVault.Actor}\",\"action\":\"ca.revoke\"", log, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"vault.seal\"", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_that_need_the_ca_key_fail_clearly_without_unsealing()
    {
        await NewVaultAsync();
        Assert.Equal(0, (await RunAsync(null, "ca", "init", "--config", _config, "--algorithm", "p256", "--unseal-key-file", _keyFile)).Exit);

        var noShares = await RunAsync(string.Empty, "keys", "issue", "alice@example.test", "--config", _config);
        Assert.Equal(ExitCodes.Failure, noShares.Exit);
        Assert.Contains("gateway: cannot unseal the key vault: no shares given", noShares.Error, StringComparison.Ordinal);

        var again = await RunAsync(null, "ca", "init", "--config", _config, "--unseal-key-file", _keyFile);
        Assert.Equal(ExitCodes.Failure, again.Exit);
        Assert.Contains("gateway: a CA already exists", again.Error, StringComparison.Ordinal);

        var unknown = await RunAsync(null, "keys", "revoke", "nobody@example.test", "--config", _config, "--unseal-key-file", _keyFile);
        Assert.Equal(ExitCodes.Failure, unknown.Exit);
        Assert.Contains("gateway: the vault holds no key for nobody@example.test", unknown.Error, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Usage, (await RunAsync(null, "keys", "revoke", "a@example.test", "--config", _config, "--reason", "bored")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync(null, "keys", "issue", "example.test", "--config", _config)).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync(null, "keys", "issue", "a@example.test", "--config", _config, "--algorithm", "dsa")).Exit);
    }

    [Fact]
    public async Task Without_a_vault_the_commands_say_so()
    {
        var result = await RunAsync(null, "ca", "crl", "--config", _config, "--unseal-key-file", _keyFile);

        Assert.Equal(ExitCodes.Failure, result.Exit);
        Assert.Contains("there is no key vault in", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_endpoint_serves_the_latest_crl_and_404_otherwise()
    {
        var crlDirectory = Path.Combine(_directory, "crl");
        Directory.CreateDirectory(crlDirectory);
        byte[] crl = [0x30, 0x03, 0x02, 0x01, 0x01];
        await File.WriteAllBytesAsync(Path.Combine(crlDirectory, "0123456789abcdef.crl"), crl);
        await File.WriteAllBytesAsync(Path.Combine(_directory, "secret.crl"), [1, 2, 3]);
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.MapSmimeCrl(_ => crlDirectory);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        using var found = await client.GetAsync(new Uri("smime/crl/0123456789abcdef.crl", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(CrlEndpoint.ContentType, found.Content.Headers.ContentType?.MediaType);
        Assert.Equal(crl, await found.Content.ReadAsByteArrayAsync());
        foreach (var missing in new[] { "smime/crl/fedcba9876543210.crl", "smime/crl/..%2Fsecret.crl", "smime/crl/ABCDEF.crl" })
        {
            using var response = await client.GetAsync(new Uri(missing, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await app.StopAsync();
    }

    private string CrlPath(string caId) => Path.Combine(_directory, "var", "smime", "crl", caId + ".crl");

    /// <summary>A vault in the policy's state directory, with an unseal-key file; returns the officer shares.</summary>
    private async Task<string[]> NewVaultAsync()
    {
        var policy = PolicyLoader.Load(_config).Policy!;
        using var vault = new KeyVault(VaultPaths.VaultDirectory(policy), TimeProvider.System);
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        await vault.AddKeyFileSealerAsync(_keyFile, "setup", default);
        return [.. init.Shares.Select(s => s.Encode())];
    }

    private static async Task<X509Certificate> LeafAsync(KeyVault vault, string identity)
    {
        var chain = (await vault.FindCertificateChainAsync(VaultIdentity.Parse(identity), default))!;
        var leaf = new X509CertificateParser().ReadCertificate(chain[0].RawData);
        foreach (var certificate in chain)
        {
            certificate.Dispose();
        }

        return leaf;
    }

    private static string Field(string output, string name) =>
        output.Split('\n').Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string? input, params string[] args)
    {
        var command = CommandLine.Parse(args);
        Assert.Null(command.Error);
        using var stdin = new StringReader(input ?? string.Empty);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CommandConsole(stdin, stdout, stderr);
        var exit = command.Command switch
        {
            "ca" => await CaCommand.ExecuteAsync(command, console, TimeProvider.System, default),
            _ when command.Verb == "issue" => await KeysIssueCommand.ExecuteAsync(command, console, TimeProvider.System, default),
            _ => await KeysRevokeCommand.ExecuteAsync(command, console, TimeProvider.System, default),
        };
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
