namespace Gateway.Host.Control;

/// <summary>The control channel's Unix socket file: made ready for Kestrel to bind, then kept to its owner.</summary>
internal static class ControlSocket
{
    /// <summary>Creates the directory and removes a socket left by a gateway that did not stop cleanly (bind would fail on it).</summary>
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Mode 0600: only the gateway's user (and root) may connect (connect(2) needs write permission on the socket).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
