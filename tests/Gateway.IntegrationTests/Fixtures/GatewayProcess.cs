using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Gateway.Testing;

namespace Gateway.IntegrationTests.Fixtures;

/// <summary>
/// The real `gateway` executable started as a child process, as an admin would run it. Tests talk to it only
/// over loopback; its stdout (JSON log lines) and stderr are captured for assertions.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private GatewayProcess(Process process, TestPolicy policy)
    {
        _process = process;
        Policy = policy;
    }

    public TestPolicy Policy { get; }

    public IPEndPoint SmtpEndPoint => Policy.SmtpEndPoint;

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> StandardOutput => _stdout;

    public IReadOnlyCollection<string> StandardError => _stderr;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Path of the built gateway.dll (copied next to the tests by the project reference), which the tests run with the
    /// JIT unless GATEWAY_EXECUTABLE names a published executable (CI sets it to the native-AOT build the appliance ships).
    /// </summary>
    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    /// <summary>Runs `gateway args...` to completion (for check/version/usage tests).</summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunToCompletionAsync(string workingDirectory, string? stdin, params string[] args) =>
        RunToCompletionAsync(workingDirectory, stdin, new Dictionary<string, string>(), args);

    /// <summary>Runs `gateway args...` to completion with <paramref name="environment"/> added to its environment.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunToCompletionAsync(string workingDirectory, string? stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = new Process { StartInfo = CreateStartInfo(workingDirectory, args) };
        foreach (var (name, value) in environment)
        {
            process.StartInfo.Environment[name] = value;
        }

        process.StartInfo.RedirectStandardInput = true;
        process.Start();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// Starts `gateway run --config` on the given policy and waits until it logs that it started;
    /// <paramref name="environment"/> adds variables to its environment (e.g. SSL_CERT_FILE for a test CA).
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(TestPolicy policy, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = new Process { StartInfo = CreateStartInfo(policy.Directory, "run", "--config", policy.MainFile), EnableRaisingEvents = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            process.StartInfo.Environment[name] = value;
        }

        var gateway = new GatewayProcess(process, policy);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            gateway._stdout.Enqueue(e.Data);
            if (e.Data.Contains("\"EventId\":101,", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gateway._stderr.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException(
            $"gateway exited early with {process.ExitCode}:\n{string.Join("\n", gateway._stderr)}\n{string.Join("\n", gateway._stdout)}"));

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return gateway;
    }

    /// <summary>Sends a POSIX signal (SIGTERM = 15, SIGHUP = 1, SIGKILL = 9).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for a log line matching the predicate (lines already logged count).</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var hit = _stdout.FirstOrDefault(predicate);
            if (hit is not null)
            {
                return hit;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException($"no matching log line within {timeout}; log:\n{string.Join("\n", _stdout.TakeLast(40))}");
    }

    /// <summary>
    /// Waits until <paramref name="count"/> log lines match; returns how many matched when it stopped. The console
    /// logger writes from its own queue and the pipe to this process can lag a burst by seconds, so a count taken
    /// right after the mail arrived can be short without anything having been lost.
    /// </summary>
    public async Task<int> WaitForLogCountAsync(Func<string, bool> predicate, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var matched = _stdout.Count(predicate);
            if (matched >= count || DateTime.UtcNow > deadline)
            {
                return matched;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(15);
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static ProcessStartInfo CreateStartInfo(string workingDirectory, params string[] args)
    {
        var native = Environment.GetEnvironmentVariable("GATEWAY_EXECUTABLE");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(native is { Length: > 0 } ? native : dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (native is not { Length: > 0 })
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(GatewayDll);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The admin/Kestrel layer must not pick up URLs or environments from the test runner's environment.
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("DOTNET_URLS");

        // The runtime settings the shipped unit gives the gateway (inline socket completions, the GC budget), so the
        // tests exercise the threading the appliance runs with.
        foreach (var (name, value) in UnitEnvironment.Read(RepositoryRoot.Path))
        {
            info.Environment[name] = value;
        }

        return info;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
