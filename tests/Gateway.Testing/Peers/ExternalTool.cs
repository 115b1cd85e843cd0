using System.Diagnostics;
using System.Text;

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

    /// <param name="tool">The program's name.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="input">Given on its standard input, which is then closed (null: the input is left as inherited).</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> args, TimeSpan timeout, string? input = null)
    {
        var (exitCode, output, errors) = await RunRawAsync(tool, args, timeout, input);
        return (exitCode, Encoding.UTF8.GetString(output) + errors);
    }

    /// <summary>Runs the tool to completion; its stdout as raw octets (8-bit content must survive), its stderr as text.</summary>
    public static async Task<(int ExitCode, byte[] Output, string Errors)> RunRawAsync(string tool, IEnumerable<string> args, TimeSpan timeout, string? input = null)
    {
        var info = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
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

        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }
}
