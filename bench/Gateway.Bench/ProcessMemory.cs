using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Memory as the kernel reports it. RSS counts shared pages once per process, which flatters nobody when a
/// server is many processes; PSS (proportional set size, /proc/PID/smaps_rollup) splits shared pages among
/// their users, so the sum over a process tree is the tree's real footprint.
/// </summary>
internal static class ProcessMemory
{
    public static long ResidentBytes(int pid) => ReadKiB($"/proc/{pid}/status", "VmRSS:") * 1024;

    public static long PeakResidentBytes(int pid) => ReadKiB($"/proc/{pid}/status", "VmHWM:") * 1024;

    public static long ProportionalBytes(int pid) => ReadKiB($"/proc/{pid}/smaps_rollup", "Pss:") * 1024;

    /// <summary>The process and its direct children (Postfix's master and its daemons).</summary>
    public static IReadOnlyList<int> WithChildren(int pid)
    {
        var result = new List<int> { pid };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child))
            {
                continue;
            }

            try
            {
                // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces, so
                // split after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    result.Add(child);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return result;
    }

    public static long Sum(IEnumerable<int> pids, Func<int, long> measure)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            try
            {
                total += measure(pid);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // Gone, or a zombie (whose status has no memory lines), while we looked.
            }
        }

        return total;
    }

    private static long ReadKiB(string file, string field)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var value = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} not found in {file}");
    }
}
