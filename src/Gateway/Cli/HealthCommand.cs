using Gateway.Host.Control;
using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway health`: asks the running gateway for /health and prints the answer; exit 0 only for 200, i.e. while the
/// SMTP listeners accept. By default at the admin endpoint the policy names; with `--socket` over the control socket,
/// reading no policy, since the file on disk may not be what the gateway runs: an edit with an error leaves the last
/// good policy in force (and the gateway healthy), a new admin.listen waits for a restart. The container's
/// HEALTHCHECK (`--socket`) and monitoring scripts call it where no curl is installed.
/// </summary>
internal static class HealthCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> ExecuteAsync(CommandLine command, CommandConsole console)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(console);
        if (command.Option("--socket") is { } socket)
        {
            using var overSocket = ControlClient.CreateHttpClient(socket, Timeout);
            return await ProbeAsync(overSocket, new Uri("health", UriKind.Relative), socket, console).ConfigureAwait(false);
        }

        var policy = await CliPolicy.LoadAsync(command).ConfigureAwait(false);
        return policy is null ? ExitCodes.Failure : await CheckAsync(policy, console).ConfigureAwait(false);
    }

    internal static async Task<int> CheckAsync(GatewayPolicy policy, CommandConsole console)
    {
        var uri = AdminEndpoint.Uri(policy, "/health");
        using var http = AdminEndpoint.CreateClient(Timeout);
        return await ProbeAsync(http, uri, uri.ToString(), console).ConfigureAwait(false);
    }

    // where: the endpoint as the messages name it, the URL or the socket's path.
    private static async Task<int> ProbeAsync(HttpClient http, Uri uri, string where, CommandConsole console)
    {
        try
        {
            using var response = await http.GetAsync(uri).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            await console.Out.WriteLineAsync(body).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Ok;
            }

            await console.Error.WriteLineAsync($"gateway: unhealthy: {where} answered {(int)response.StatusCode}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await console.Error.WriteLineAsync($"gateway: no gateway answers on {where}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
