using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Gateway.Smime.Tests.Cms;

/// <summary>
/// A throw-away GNUPGHOME for gpgsm: the test CA imported and trusted (trustlist.txt), CRL checks off (the
/// test CA publishes none), loopback pinentry so keys import and decrypt without a terminal.
/// </summary>
public sealed class GpgsmHome : IDisposable
{
    private const string Passphrase = "test-only";
    private readonly TempDirectory _directory = new("gw-gpgsm");

    private GpgsmHome()
    {
        Home = _directory.File("home");
        Directory.CreateDirectory(Home);
        System.IO.File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.File.WriteAllText(Path.Combine(Home, "gpgsm.conf"), "disable-crl-checks\n");
        System.IO.File.WriteAllText(Path.Combine(Home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
    }

    public string Home { get; }

    public string File(string name) => _directory.File(name);

    public static async Task<GpgsmHome> CreateAsync(TestCa ca)
    {
        var home = new GpgsmHome();
        var pem = home.File("ca.pem");
        await System.IO.File.WriteAllTextAsync(pem, ca.CertificatePem);
        var import = await home.RunAsync(["--import", pem]);
        Assert.True(import.ExitCode == 0, import.Stderr);
        var sha1 = new Sha1Digest();
        var der = ca.Certificate.GetEncoded();
        sha1.BlockUpdate(der, 0, der.Length);
        var fingerprint = new byte[20];
        sha1.DoFinal(fingerprint, 0);
        await System.IO.File.WriteAllTextAsync(Path.Combine(home.Home, "trustlist.txt"),
            string.Join(':', fingerprint.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))) + " S relax\n");
        return home;
    }

    /// <summary>Imports a private key as PKCS#12 made by openssl with the SHA1/3DES PBE gpgsm reads.</summary>
    public async Task ImportKeyAsync(TestIdentity identity)
    {
        await System.IO.File.WriteAllTextAsync(File("id.pem"), identity.CertificatePem);
        await System.IO.File.WriteAllTextAsync(File("id.key"), identity.PrivateKeyPem);
        var p12 = await ExternalTool.RunAsync("openssl", ["pkcs12", "-export", "-in", File("id.pem"), "-inkey", File("id.key"),
            "-passout", "pass:" + Passphrase, "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-out", File("id.p12")]);
        Assert.True(p12.ExitCode == 0, p12.Stderr);
        var import = await RunAsync(["--pinentry-mode", "loopback", "--passphrase-fd", "0", "--import", File("id.p12")], Encoding.ASCII.GetBytes(Passphrase + "\n"));
        Assert.True(import.ExitCode == 0, import.Stderr);
    }

    public Task<ToolResult> DecryptAsync(string file) =>
        RunAsync(["--pinentry-mode", "loopback", "--passphrase-fd", "0", "--decrypt", file], Encoding.ASCII.GetBytes(Passphrase + "\n"));

    public Task<ToolResult> RunAsync(IEnumerable<string> arguments, byte[]? stdin = null) =>
        ExternalTool.RunAsync("gpgsm", ["--batch", "--homedir", Home, .. arguments], stdin);

    public void Dispose()
    {
        // The agent gpgsm started lives in this home; stop it before the directory goes.
        ExternalTool.RunAsync("gpgconf", ["--homedir", Home, "--kill", "gpg-agent"]).GetAwaiter().GetResult();
        _directory.Dispose();
    }
}
