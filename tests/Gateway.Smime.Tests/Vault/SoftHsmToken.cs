using System.Diagnostics;
using System.Runtime.InteropServices;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Smime.Tests.Vault;

/// <summary>
/// A SoftHSM2 token store in a temp directory (SOFTHSM2_CONF), with tokens initialised by softhsm2-util
/// at test time. SoftHSM reads SOFTHSM2_CONF with getenv at C_Initialize, and .NET's
/// Environment.SetEnvironmentVariable does not reach the native environment on Unix, hence setenv(3).
/// </summary>
public sealed partial class SoftHsmToken : IDisposable
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string UserPin = "4711-test";
    private const string SoPin = "0815-so";

    private readonly TempDirectory _directory = new("gw-softhsm");

    public SoftHsmToken()
    {
        Directory.CreateDirectory(_directory.File("tokens"));
        var config = _directory.File("softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {_directory.File("tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        ConfigPath = config;
        if (SetEnv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv SOFTHSM2_CONF failed");
        }
    }

    public string ConfigPath { get; }

    /// <summary>Initialises a new token with the given label and returns options for it.</summary>
    public Pkcs11TokenOptions CreateToken(string label, string keyLabel = "gateway-vault")
    {
        var start = new ProcessStartInfo("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", SoPin, "--pin", UserPin])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SOFTHSM2_CONF"] = ConfigPath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {output}");
        }

        return new Pkcs11TokenOptions { ModulePath = Module, TokenLabel = label, KeyLabel = keyLabel, Pin = UserPin };
    }

    public void Dispose() => _directory.Dispose();

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
