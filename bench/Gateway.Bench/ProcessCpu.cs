using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// CPU time a server used, from /proc/PID/stat: user + system time of each process, plus, for the root of
/// the tree (Postfix's master), the time of the children it has already reaped. A figure per message that
/// holds up even when other work on the machine competes for the cores.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of the /proc/PID/stat times, 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    public static double Seconds(IReadOnlyList<int> processes)
    {
        var (user, system) = UserAndSystemSeconds(processes);
        return user + system;
    }

    /// <summary>User and system time apart: the work of our code against what the kernel did for it (files, sockets).</summary>
    public static (double User, double System) UserAndSystemSeconds(IReadOnlyList<int> processes)
    {
        var user = 0L;
        var system = 0L;
        for (var i = 0; i < processes.Count; i++)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{processes[i]}/stat");

                // The command name (field 2) may hold spaces: split after its closing parenthesis, so field 3
                // (state) is [0], utime (14) is [11], stime [12], cutime [13], cstime [14].
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                user += long.Parse(fields[11], CultureInfo.InvariantCulture);
                system += long.Parse(fields[12], CultureInfo.InvariantCulture);
                if (i == 0)
                {
                    user += long.Parse(fields[13], CultureInfo.InvariantCulture);
                    system += long.Parse(fields[14], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // Ended while we looked; the master has its time now.
            }
        }

        return (user / TicksPerSecond, system / TicksPerSecond);
    }
}
