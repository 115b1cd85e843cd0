using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Gateway.Host.Hosting;
using Gateway.Host.Tls;
using Gateway.Policy;
using Gateway.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>
/// Several certificates from PEM files, chosen by SNI with their chains; a renewal of the files is served to the next
/// connection without a restart, and a broken file keeps the running certificate and is reported at its policy node.
/// </summary>
public sealed class CertificateReloadTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private readonly string _directory = TestDirectories.CreateTemp("gw-certreload");
    private readonly LinesLogger<RuntimeHolder> _log = new();

    public CertificateReloadTests()
    {
        File.WriteAllText(Path.Combine(_directory, "mx.pem"), _ca.IssuePem("mx.example.org"));
        using var mail = _ca.Issue("mail.example.net", "*.example.net");
        File.WriteAllText(Path.Combine(_directory, "mail.crt"), _ca.ChainPem(mail));
        File.WriteAllText(Path.Combine(_directory, "mail.key"), TestCertificateAuthority.KeyPem(mail));
        File.WriteAllText(PolicyFile, string.Join('\n',
            "hostname: mx.example.org",
            "state_directory: var",
            "listeners:",
            "  - name: inbound",
            "    address: 127.0.0.1:2525",
            "tls:",
            "  certificate: mx.pem",
            "  key: mx.pem",
            "  certificates:",
            "    - certificate: mail.crt",
            "      key: mail.key",
            ""));
    }

    private string PolicyFile => Path.Combine(_directory, "gateway.yaml");

    public void Dispose() => _ca.Dispose();

    private static CertificateWatcher Watcher(RuntimeHolder holder) =>
        new(holder, TimeProvider.System, NullLogger<CertificateWatcher>.Instance);

    private RuntimeHolder Start()
    {
        var loaded = PolicyLoader.Load(PolicyFile);
        Assert.True(loaded.Success, string.Join("\n", loaded.Errors));
        var runtime = PolicyRuntime.TryBuild(loaded.Policy!, TestRuntimeServices.Create(), out var errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        return new RuntimeHolder(runtime, TestRuntimeServices.Create(), _log);
    }

    private static string Served(RuntimeHolder holder, string? serverName) =>
        holder.Current.Certificates!.Select(serverName).Certificate.GetNameInfo(X509NameType.SimpleName, false);

    private static string Thumbprint(RuntimeHolder holder, string? serverName) =>
        holder.Current.Certificates!.Select(serverName).Certificate.Thumbprint;

    [Fact]
    public void Each_certificate_is_served_for_its_names_with_the_intermediate_from_its_file()
    {
        using var holder = Start();

        Assert.Equal("mx.example.org", Served(holder, null));
        Assert.Equal("mx.example.org", Served(holder, "unknown.example"));
        Assert.Equal("mail.example.net", Served(holder, "mail.example.net"));
        Assert.Equal("mail.example.net", Served(holder, "smtp.example.net"));
        foreach (var certificate in holder.Current.Certificates!.All)
        {
            Assert.True(certificate.Certificate.HasPrivateKey);
            Assert.Equal(_ca.Intermediate.Thumbprint, Assert.Single(certificate.Intermediates).Thumbprint);
        }
    }

    [Fact]
    public void Unchanged_files_are_not_reloaded()
    {
        using var holder = Start();
        var watcher = Watcher(holder);
        var running = holder.Current;

        Assert.False(watcher.Check());
        Assert.Same(running, holder.Current);
    }

    [Fact]
    public void A_renewed_file_is_served_to_the_next_connection()
    {
        using var holder = Start();
        var watcher = Watcher(holder);
        var before = Thumbprint(holder, "mx.example.org");
        using var lease = holder.Acquire();

        ReplaceFile("mx.pem", _ca.IssuePem("mx.example.org"));

        Assert.True(watcher.Check());
        Assert.NotEqual(before, Thumbprint(holder, "mx.example.org"));

        // A session opened before the renewal keeps the certificate it started with.
        Assert.Equal(before, lease.Runtime.Certificates!.Select("mx.example.org").Certificate.Thumbprint);
        Assert.False(lease.Runtime.IsDisposed);
        Assert.False(watcher.Check());
    }

    [Fact]
    public void A_broken_renewal_keeps_the_running_certificate_and_is_reported_at_its_node_once()
    {
        using var holder = Start();
        var watcher = Watcher(holder);
        var running = holder.Current;

        ReplaceFile("mail.key", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");

        Assert.False(watcher.Check());
        Assert.Same(running, holder.Current);
        var error = Assert.Single(_log.Lines);
        Assert.Contains($"{PolicyFile}:11:12: tls.key: cannot use the key in", error, StringComparison.Ordinal);

        // Not reported again at every check while the files stay as they are...
        Assert.False(watcher.Check());
        Assert.Single(_log.Lines);

        // ...and a fixed file is taken up.
        using var mail = _ca.Issue("mail.example.net");
        ReplaceFile("mail.crt", _ca.ChainPem(mail));
        ReplaceFile("mail.key", TestCertificateAuthority.KeyPem(mail));
        Assert.True(watcher.Check());
        Assert.Equal(mail.Thumbprint, Thumbprint(holder, "mail.example.net"));
    }

    [Fact]
    public void A_symbolic_link_swapped_to_a_new_file_is_followed()
    {
        // certbot: live/NAME/fullchain.pem is a link into archive/NAME/, re-pointed at each renewal.
        var archive = Directory.CreateDirectory(Path.Combine(_directory, "archive")).FullName;
        File.WriteAllText(Path.Combine(archive, "mx1.pem"), File.ReadAllText(Path.Combine(_directory, "mx.pem")));
        File.Delete(Path.Combine(_directory, "mx.pem"));
        File.CreateSymbolicLink(Path.Combine(_directory, "mx.pem"), Path.Combine("archive", "mx1.pem"));
        using var holder = Start();
        var watcher = Watcher(holder);
        var before = Thumbprint(holder, null);

        File.WriteAllText(Path.Combine(archive, "mx2.pem"), _ca.IssuePem("mx.example.org"));
        var link = Path.Combine(_directory, "mx.pem.new");
        File.CreateSymbolicLink(link, Path.Combine("archive", "mx2.pem"));
        File.Move(link, Path.Combine(_directory, "mx.pem"), overwrite: true);

        Assert.True(watcher.Check());
        Assert.NotEqual(before, Thumbprint(holder, null));
    }

    // Write-then-rename, as certbot and editors do, so a check never reads half a file.
    private void ReplaceFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private sealed class LinesLogger<T> : ILogger<T>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception));
            }
        }
    }
}
