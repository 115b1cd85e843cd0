namespace Gateway.Host.Control;

/// <summary>The control channel's Unix socket file: made ready for Kestrel to bind, then kept to its owner.</summary>
internal static class ControlSocket
{
    // sockaddr_un.sun_path is 108 bytes on Linux (unix(7)), with the terminating NUL.
    private const int MaxPathBytes = 107;

    /// <summary>
    /// Creates the directory and removes a socket left by a gateway that did not stop cleanly (bind would fail on
    /// it); false when the path is too long for a Unix socket, so the gateway runs without a control channel.
    /// </summary>
    public static bool Prepare(string path)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(path)) > MaxPathBytes)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return true;
    }

    /// <summary>Mode 0600: only the gateway's user (and root) may connect (connect(2) needs write permission on the socket).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
