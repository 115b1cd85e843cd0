using System.Diagnostics;

namespace Gateway.Testing.Peers;

/// <summary>Runs a real peer program (swaks, smtp-source) to completion and captures what it printed.</summary>
public static class ExternalTool
{
    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The path of a required tool; .ci/run installs them, so a missing one is a failure, not a skip.</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new InvalidOperationException($"'{name}' is not installed; run .ci/run (it installs the test peers)");

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
