namespace Gateway.Queue;

/// <summary>
/// Directories that hold mail (the queue, copies kept for training): readable by the gateway's user alone, as Postfix
/// keeps its queue, whatever umask the process was started with (the shipped unit sets 0077; a shell usually 0022).
/// </summary>
public static class OwnerOnlyDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the directory (and missing parents) as rwx------; an existing one is left as it is.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnly);
    }

    /// <summary>
    /// Takes group and other access off an existing directory of ours (one made by an earlier version, or under a
    /// permissive umask): what lies below it is then out of their reach, whatever the files' own modes.
    /// </summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                File.SetUnixFileMode(path, mode & ~GroupOrOther);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Owned by another user (a directory an administrator made and shares on purpose): theirs to decide.
        }
    }
}
