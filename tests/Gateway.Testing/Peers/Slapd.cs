using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Gateway.Testing.Peers;

/// <summary>
/// A private OpenLDAP server (Debian's slapd) on 127.0.0.1 with a temp slapd.conf and an mdb database, the
/// core, cosine and inetOrgPerson schemas (so userCertificate and userSMIMECertificate exist), anonymous read,
/// and the suffix's root entry already added. Entries are loaded with ldapadd, the reference LDAP client.
/// </summary>
public sealed class Slapd : IAsyncDisposable
{
    public const string Password = "test-secret";

    private readonly string _directory;
    private readonly int _port;
    private Process? _process;

    private Slapd(string directory, string suffix, int port)
    {
        _directory = directory;
        _port = port;
        Suffix = suffix;
        Uri = new Uri($"ldap://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The base DN, e.g. <c>dc=example,dc=test</c>.</summary>
    public string Suffix { get; }

    /// <summary>The root DN, which may bind with <see cref="Password"/>.</summary>
    public string RootDn => "cn=admin," + Suffix;

    public Uri Uri { get; }

    private string ConfigFile => Path.Combine(_directory, "slapd.conf");

    public static async Task<Slapd> StartAsync(string suffix = "dc=example,dc=test")
    {
        var directory = TestDirectories.CreateTemp("gw-slapd");
        Directory.CreateDirectory(Path.Combine(directory, "db"));
        var slapd = new Slapd(directory, suffix, FreePort.Next());
        await File.WriteAllTextAsync(slapd.ConfigFile, Config(directory, suffix));
        try
        {
            await slapd.ResumeAsync();
            var dc = suffix.Split(',')[0].Split('=')[1];
            await slapd.AddAsync($"dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Gateway Tests\ndc: {dc}\n");
            return slapd;
        }
        catch
        {
            await slapd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (its database stays), so clients see a dead port until <see cref="ResumeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server (again) on the same port and database; returns once it accepts connections.</summary>
    public async Task ResumeAsync()
    {
        var info = new ProcessStartInfo(ExternalTool.Require("slapd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // -d 0: stay in the foreground (so the test owns the process) without debug output.
        foreach (var arg in new[] { "-d", "0", "-f", ConfigFile, "-h", Uri.ToString() })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        var stderr = _process.StandardError.ReadToEndAsync();
        await PeerStartup.WaitListeningAsync("slapd", new IPEndPoint(IPAddress.Loopback, _port), _process, stderr);
    }

    /// <summary>Adds the entries of an LDIF text as the root DN; throws with ldapadd's output when it fails.</summary>
    public Task AddAsync(string ldif) => RunAsync("ldapadd", ldif);

    /// <summary>Applies an LDIF change record (changetype: modify/delete) as the root DN.</summary>
    public Task ModifyAsync(string ldif) => RunAsync("ldapmodify", ldif);

    /// <summary>One attribute line in LDIF, base64 (<c>name:: value</c>) as binary values must be.</summary>
    public static string Binary(string attribute, byte[] value) => $"{attribute}:: {Convert.ToBase64String(value)}\n";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task RunAsync(string tool, string ldif)
    {
        var (exitCode, output) = await ExternalTool.RunAsync(tool,
            ["-x", "-H", Uri.ToString(), "-D", RootDn, "-w", Password], TimeSpan.FromSeconds(20), ldif);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({exitCode}): {output}");
        }
    }

    private static string Config(string directory, string suffix)
    {
        var config = new StringBuilder();
        foreach (var schema in new[] { "core", "cosine", "inetorgperson" })
        {
            config.Append("include /etc/ldap/schema/").Append(schema).Append(".schema\n");
        }

        return config
            .Append("pidfile ").Append(Path.Combine(directory, "slapd.pid")).Append('\n')
            .Append("argsfile ").Append(Path.Combine(directory, "slapd.args")).Append('\n')

            // Debian builds the database backends as modules.
            .Append("modulepath /usr/lib/ldap\nmoduleload back_mdb\n")
            .Append("database mdb\nmaxsize 67108864\n")
            .Append("suffix \"").Append(suffix).Append("\"\n")
            .Append("rootdn \"cn=admin,").Append(suffix).Append("\"\n")
            .Append("rootpw ").Append(Password).Append('\n')
            .Append("directory ").Append(Path.Combine(directory, "db")).Append('\n')
            .Append("access to * by * read\n")
            .ToString();
    }
}
