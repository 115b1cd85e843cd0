using Gateway.Policy;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway health`: asks the running gateway's admin endpoint for /health (the listen address from the policy) and
/// prints the answer; exit 0 only for 200, i.e. while the SMTP listeners accept. The container's HEALTHCHECK and
/// monitoring scripts call it where no curl is installed.
/// </summary>
internal static class HealthCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> ExecuteAsync(CommandLine command, CommandConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var policy = await CliPolicy.LoadAsync(command).ConfigureAwait(false);
        return policy is null ? ExitCodes.Failure : await CheckAsync(policy, console).ConfigureAwait(false);
    }

    internal static async Task<int> CheckAsync(GatewayPolicy policy, CommandConsole console)
    {
        var uri = AdminEndpoint.Uri(policy, "/health");
        using var http = AdminEndpoint.CreateClient(Timeout);
        try
        {
            using var response = await http.GetAsync(uri).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            await console.Out.WriteLineAsync(body).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Ok;
            }

            await console.Error.WriteLineAsync($"gateway: unhealthy: {uri} answered {(int)response.StatusCode}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await console.Error.WriteLineAsync($"gateway: no gateway answers on {uri}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
