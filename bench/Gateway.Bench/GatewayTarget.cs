using System.Diagnostics;
using System.Net;

namespace Gateway.Bench;

/// <summary>The gateway started from its built dll on a bench policy in a temp directory.</summary>
internal sealed class GatewayTarget : IBenchTarget
{
    private readonly Process _process;
    private readonly DirectoryInfo _work;

    private GatewayTarget(Process process, DirectoryInfo work, IPEndPoint endPoint)
    {
        _process = process;
        _work = work;
        EndPoint = endPoint;
    }

    public string Name => "gateway";

    public IPEndPoint EndPoint { get; }

    public static async Task<GatewayTarget> StartAsync(string dll, string extraYaml)
    {
        var work = Directory.CreateTempSubdirectory("gateway-bench");
        var smtpPort = Ports.Free();
        var adminPort = Ports.Free();
        var config = Path.Combine(work.FullName, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            hostname: mx.bench.test
            domains: [bench.test]
            trusted_networks: ["127.0.0.0/8"]
            state_directory: var
            listeners:
              - name: inbound
                address: 127.0.0.1:{smtpPort}
            tls:
              certificate: auto
            admin:
              listen: 127.0.0.1:{adminPort}
            logging:
              format: json
              level: warning
            {extraYaml}
            """).ConfigureAwait(false);

        var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", dll, "run", "--config", config])
        {
            WorkingDirectory = work.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start the gateway");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        var target = new GatewayTarget(process, work, new IPEndPoint(IPAddress.Loopback, smtpPort));
        await Smtp.WaitForGreetingAsync(target.EndPoint, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return target;
    }

    public IReadOnlyList<int> Processes() => [_process.Id];

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        _work.Delete(recursive: true);
    }
}
