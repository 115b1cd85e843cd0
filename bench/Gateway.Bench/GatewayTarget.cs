using System.Globalization;
using System.Net;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>The gateway started from its natively compiled executable (or a built gateway.dll) on a bench policy in a temp directory.</summary>
internal sealed class GatewayTarget : IBenchTarget
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly ToolProcess _process;
    private readonly DirectoryInfo _work;

    private GatewayTarget(ToolProcess process, DirectoryInfo work, IPEndPoint endPoint, IPEndPoint adminEndPoint)
    {
        _process = process;
        _work = work;
        EndPoint = endPoint;
        AdminEndPoint = adminEndPoint;
    }

    public string Name => "gateway";

    public IPEndPoint EndPoint { get; }

    /// <summary>The admin listener (/health, /metrics).</summary>
    public IPEndPoint AdminEndPoint { get; }

    /// <summary>What the gateway wrote on stdout/stderr (the last 16 KiB), for a failure report.</summary>
    public string Output => _process.Output();

    /// <param name="gateway">The published gateway executable, as the appliance ships it, or a built gateway.dll to run with the JIT.</param>
    /// <param name="extraYaml">Top-level policy keys added verbatim (no indentation).</param>
    /// <param name="domains">The policy's <c>domains</c> value.</param>
    /// <param name="trustedNetworks">The policy's <c>trusted_networks</c> value (default: all of loopback).</param>
    /// <param name="dnsServer">The only name server the gateway may ask (default: 127.0.0.1:9, where nothing answers).</param>
    /// <param name="certificate">PEM files of the listener's certificate and key (default: a self-signed one, "auto").</param>
    public static async Task<GatewayTarget> StartAsync(
        string gateway,
        string extraYaml,
        string domains = "[bench.test]",
        string trustedNetworks = "[\"127.0.0.0/8\"]",
        string dnsServer = "127.0.0.1:9",
        (string Certificate, string Key)? certificate = null)
    {
        var work = Directory.CreateTempSubdirectory("gateway-bench");
        var smtpPort = Ports.Free();
        var adminPort = Ports.Free();
        var config = Path.Combine(work.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            hostname: mx.bench.test
            domains: {domains}
            trusted_networks: {trustedNetworks}
            state_directory: var
            listeners:
              - name: inbound
                address: 127.0.0.1:{smtpPort}
            tls:
              certificate: {certificate?.Certificate ?? "auto"}
            {(certificate is { } files ? $"  key: {files.Key}" : string.Empty)}
            admin:
              listen: 127.0.0.1:{adminPort}
            logging:
              format: json
              level: warning
            # Loopback only: nothing listens on port 9, so no lookup can leave this machine.
            dns:
              servers: ["{dnsServer}"]
              timeout: 1s
            {extraYaml}
            """).ConfigureAwait(false);

        var jit = gateway.EndsWith(".dll", StringComparison.Ordinal);
        var process = ToolProcess.Start(jit ? "dotnet" : gateway, jit ? ["exec", gateway, "run", "--config", config] : ["run", "--config", config], work.FullName,
            // As the shipped unit runs it; the bench scripts run from the repository root.
            UnitEnvironment.Read(Environment.CurrentDirectory));
        var target = new GatewayTarget(process, work, new IPEndPoint(IPAddress.Loopback, smtpPort), new IPEndPoint(IPAddress.Loopback, adminPort));
        try
        {
            await Smtp.WaitForGreetingAsync(target.EndPoint, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return target;
    }

    public IReadOnlyList<int> Processes() => [_process.Id];

    /// <summary>The sum of counters from one read of the admin listener's /metrics (Prometheus text format).</summary>
    public async Task<long> CountersAsync(params string[] names)
    {
        var text = await Http.GetStringAsync(new Uri($"http://{AdminEndPoint}/metrics")).ConfigureAwait(false);
        var sum = 0L;
        foreach (var name in names)
        {
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"no {name} in /metrics");
            sum += long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }

        return sum;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        _work.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
