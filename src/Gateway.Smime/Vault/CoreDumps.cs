using System.Runtime.InteropServices;

namespace Gateway.Smime.Vault;

/// <summary>
/// Keeps unsealed key material out of core dumps: a process that is not "dumpable" (prctl PR_SET_DUMPABLE 0) gets
/// no core file, whatever RLIMIT_CORE or a piped core_pattern (systemd-coredump) says, and other processes of the
/// same user cannot ptrace it or read its memory through /proc. The price is only that a crash leaves no dump to
/// debug; the gateway's own logs say what it was doing.
/// </summary>
public static partial class CoreDumps
{
    private const int SetDumpable = 4;
    private const int GetDumpable = 3;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Marks this process not dumpable; false (with nothing changed) on a platform without prctl.</summary>
    public static bool Disable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (Prctl(SetDumpable, 0, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_DUMPABLE, 0) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return true;
    }

    /// <summary>True when the kernel will not write a core file for this process.</summary>
    public static bool Disabled => OperatingSystem.IsLinux() && Prctl(GetDumpable, 0, 0, 0, 0) == 0;
}
