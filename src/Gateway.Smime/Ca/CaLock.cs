namespace Gateway.Smime.Ca;

/// <summary>
/// Serialises CA changes between processes (the running gateway regenerating its CRL, an operator's CLI
/// revoking): a POSIX record lock on ca/.lock, taken with a bounded wait. The host disables .NET's
/// open-time flock, so an explicit lock is what excludes the other process; within a process the CA's own
/// gate serialises first.
/// </summary>
internal sealed class CaLock : IDisposable
{
    // 30 s in 50 ms steps, counted rather than timed so a test's fake clock cannot stall the wait.
    private const int Attempts = 600;
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _stream;

    private CaLock(FileStream stream) => _stream = stream;

    public static async Task<CaLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var options = Vault.AtomicFile.OwnerOnly(FileMode.OpenOrCreate);
        options.Access = FileAccess.ReadWrite;
        options.Share = FileShare.ReadWrite;
        var stream = new FileStream(path, options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // macOS has no such lock in .NET; the gateway runs on Linux, where it does.
                if (!OperatingSystem.IsMacOS())
                {
                    stream.Lock(0, 1);
                }

                return new CaLock(stream);
            }
            catch (IOException) when (attempt < Attempts)
            {
                await Task.Delay(Retry, cancellationToken);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }
        }
    }

    public void Dispose()
    {
        // Closing the file releases the record lock.
        _stream.Dispose();
    }
}
