using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Host.Control;

/// <summary>
/// Who is on the other end of a Unix domain socket: SO_PEERCRED (Linux, socket(7)) gives the peer's uid as
/// the kernel saw it at connect time, which the audit log records and the control channel checks.
/// </summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's uid, or null where the platform does not tell (not Linux, not a Unix socket).</summary>
    public static uint? PeerUid(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == credentials.Length
                ? MemoryMarshal.Read<uint>(credentials[4..8])
                : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>The effective uid of this process (Linux: the second field of "Uid:" in /proc/self/status, proc(5)), or null.</summary>
    public static uint? OwnUid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line[4..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 1 && uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : null;
            }
        }

        return null;
    }

    /// <summary>How the audit log names a control-channel client.</summary>
    public static string Actor(uint? uid) =>
        uid is { } value ? string.Create(CultureInfo.InvariantCulture, $"control-socket uid {value}") : "control-socket";
}
