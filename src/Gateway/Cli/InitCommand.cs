using System.Globalization;
using System.Text;
using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>The answers `gateway init` asks for, as typed.</summary>
internal sealed record InitRequest(
    string Hostname,
    string Domain,
    string Internal,
    IReadOnlyList<string> TrustedNetworks,
    string Directory,
    string StateDirectory);

/// <summary>
/// `gateway init --hostname H --domain D --internal HOST[:PORT]`: writes a first policy set (gateway.yaml, commented
/// like the shipped one) so a new admin answers four questions and runs. Every answer is checked with the policy
/// loader's own rules, the rendered file is loaded by the real loader before it is put in place, and an existing
/// policy is never overwritten.
/// </summary>
internal static class InitCommand
{
    /// <summary>RFC 5321 4.5.4.1 / RFC 6409 3.1: the internal server takes relayed mail on the SMTP port by default.</summary>
    private const int DefaultInternalPort = 25;

    private static readonly string[] LoopbackNetworks = ["127.0.0.0/8", "::1/128"];

    public static int Execute(InitRequest request, CommandConsole console, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(time);

        var problems = new List<string>();
        Check(problems, "--hostname", PolicyValues.TryParseDomain(request.Hostname.Trim(), out var hostname));
        Check(problems, "--domain", PolicyValues.TryParseDomain(request.Domain.Trim(), out var domain));
        Check(problems, "--internal", PolicyValues.TryParseHostPort(request.Internal.Trim(), DefaultInternalPort, out var internalHost));
        if (problems.Count == 0 && string.Equals(internalHost.Host, hostname, StringComparison.OrdinalIgnoreCase))
        {
            // Inbound mail would be relayed to the gateway itself: a loop the loop check ends with a notice to the sender.
            problems.Add($"--internal: '{request.Internal.Trim()}' is the gateway itself (--hostname); name the internal mail server");
        }

        var networks = new List<string>(LoopbackNetworks);
        foreach (var networkText in request.TrustedNetworks)
        {
            Check(problems, "--trusted-network", PolicyValues.TryParseRelayNetwork(networkText.Trim(), out var network));
            if (network.Length > 0 && !networks.Contains(network, StringComparer.Ordinal))
            {
                networks.Add(network);
            }
        }

        if (request.StateDirectory.Length == 0 || request.StateDirectory.Any(char.IsControl) || request.StateDirectory.Contains('"', StringComparison.Ordinal))
        {
            problems.Add("--state-dir: expected a directory path");
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                console.Error.WriteLine($"gateway: {problem}");
            }

            return ExitCodes.Usage;
        }

        var directory = Path.GetFullPath(request.Directory);
        var path = Path.Combine(directory, GatewayLayout.PolicyFileName);
        if (File.Exists(path) || Directory.Exists(path))
        {
            console.Error.WriteLine($"gateway: {path} exists; init never overwrites a policy (edit it, or move it away first)");
            return ExitCodes.Failure;
        }

        var text = Render(hostname, domain, internalHost, networks, request.StateDirectory, path, time);
        try
        {
            Directory.CreateDirectory(directory);
            return Write(path, text, console);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"gateway: cannot write {path}: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The policy text: the template with the answers, which are canonical (validated) and quoted where YAML needs it.</summary>
    internal static string Render(string hostname, string domain, HostEndpoint internalHost, IReadOnlyList<string> networks, string stateDirectory, string path, TimeProvider time)
    {
        using var stream = typeof(InitCommand).Assembly.GetManifestResourceStream("Gateway.Host.Cli.InitPolicy.yaml")
            ?? throw new InvalidOperationException("the init policy template is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var template = reader.ReadToEnd();
        return template
            .Replace("{{created}}", time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{config}}", path, StringComparison.Ordinal)
            .Replace("{{hostname}}", hostname, StringComparison.Ordinal)
            .Replace("{{domain}}", domain, StringComparison.Ordinal)
            .Replace("{{trusted_networks}}", string.Join('\n', networks.Select(n => $"  - \"{n}\"")), StringComparison.Ordinal)
            .Replace("{{state_directory}}", $"\"{stateDirectory}\"", StringComparison.Ordinal)
            .Replace("{{internal_host}}", $"\"{internalHost.Host}\"", StringComparison.Ordinal)
            .Replace("{{internal_port}}", internalHost.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes the policy beside its final name, loads it with the real loader and only then moves it in place
    /// (never over an existing file): a policy init wrote always starts.
    /// </summary>
    private static int Write(string path, string text, CommandConsole console)
    {
        var temporary = $"{path}.init-{Environment.ProcessId}";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // No secrets in it (credentials and keys live in their own files), and the gateway's user must read it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        GatewayPolicy policy;
        try
        {
            using (var file = new FileStream(temporary, options))
            using (var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.Write(text);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }

            var loaded = PolicyLoader.Load(temporary);
            if (!loaded.Success)
            {
                // Only a bug in the template gets here: the answers were checked with the loader's rules.
                foreach (var error in loaded.Errors)
                {
                    console.Error.WriteLine(error.ToString());
                }

                console.Error.WriteLine("gateway: the policy init would write does not load; nothing written");
                return ExitCodes.Failure;
            }

            policy = loaded.Policy!;
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }

        console.Out.WriteLine($"gateway: wrote {path}");
        var route = policy.Delivery.Routes[policy.Domains[0]][0];
        console.Out.WriteLine($"gateway: {policy.HostName} takes mail for {string.Join(", ", policy.Domains)} and relays it to {route.Host}:{route.Port}; state in {policy.StateDirectory}");
        console.Out.WriteLine($"gateway: next: `gateway check --config {path}`, then start the gateway (`systemctl start gateway`)");
        return ExitCodes.Ok;
    }

    private static void Check(List<string> problems, string option, string? problem)
    {
        if (problem is not null)
        {
            problems.Add($"{option}: {problem}");
        }
    }
}
