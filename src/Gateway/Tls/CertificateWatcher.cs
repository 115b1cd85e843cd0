using Gateway.Host.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tls;

/// <summary>
/// Puts renewed certificates in service without a restart. Every tls.watch_interval it fingerprints the certificate
/// and key files of the runtime in force (reading through symbolic links, as certbot's live/ directory has them) and,
/// when the bytes differ from those the runtime loaded, rebuilds the runtime: new connections get the new
/// certificate, open ones keep theirs. Files that do not load leave the running certificate in place, and the
/// errors are logged at the policy nodes naming them, once per change of the files (not at every check).
/// </summary>
/// <remarks>
/// A periodic stat of content rather than a FileSystemWatcher: inotify watches the link or the directory, not the
/// file a symbolic link is swapped to point at, and misses changes on network file systems. Reading a few PEM files
/// a minute costs nothing.
/// </remarks>
internal sealed class CertificateWatcher : BackgroundService
{
    private readonly RuntimeHolder _holder;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateWatcher> _logger;
    private string? _rejected;

    public CertificateWatcher(RuntimeHolder holder, TimeProvider time, ILogger<CertificateWatcher> logger)
    {
        _holder = holder;
        _time = time;
        _logger = logger;
    }

    /// <summary>One check: reloads when the files changed; true when a new runtime is in force.</summary>
    public bool Check()
    {
        var runtime = _holder.Current;
        var now = ServerCertificateSource.Fingerprint(runtime.Policy.Tls);
        if (now is null || now == runtime.CertificateFingerprint || now == _rejected)
        {
            return false;
        }

        TlsLog.CertificateFilesChanged(_logger);
        if (_holder.ReloadCertificates(runtime))
        {
            _rejected = null;
            return true;
        }

        // Not tried again until the files change once more.
        _rejected = now;
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_holder.Current.Policy.Tls.WatchInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Check();
        }
    }
}
