namespace Gateway.Smime.Vault;

/// <summary>
/// Whole-file replacement that a crash cannot leave half-done: write a temp file beside the target,
/// fsync it, rename over the target, fsync the directory. Files are created 0600: entries hold encrypted
/// keys and the seal record wrapped master keys, which nobody but the gateway has reason to read.
/// </summary>
internal static class AtomicFile
{
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, OwnerOnly(FileMode.CreateNew)))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        NativeMethods.SyncDirectory(directory);
    }

    /// <summary>Options that create a file readable and writable by its owner only (no-op on Windows), held exclusively.</summary>
    public static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
