using System.Globalization;

namespace Gateway.Bench;

/// <summary>Resident set size as the kernel reports it (/proc/PID/status VmRSS and VmHWM).</summary>
internal static class ProcessMemory
{
    public static long ResidentBytes(int pid) => ReadKiB(pid, "VmRSS:") * 1024;

    public static long PeakResidentBytes(int pid) => ReadKiB(pid, "VmHWM:") * 1024;

    private static long ReadKiB(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var value = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} not found for process {pid}");
    }
}
