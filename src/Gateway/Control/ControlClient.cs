using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Gateway.Host.Control;

/// <summary>
/// The CLI's side of the control channel: HTTP over the running gateway's Unix socket. A gateway that is not
/// running (no socket, nobody listening) is an answer, not an error: <see cref="StatusAsync"/> returns null.
/// </summary>
internal sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;

    public ControlClient(string socketPath)
    {
        SocketPath = Path.GetFullPath(socketPath);

        // A token unseal may take a while.
        _http = CreateHttpClient(SocketPath, TimeSpan.FromSeconds(60));
    }

    public string SocketPath { get; }

    /// <summary>
    /// HTTP to the running gateway over its control socket at <paramref name="socketPath"/>. The host name of the base
    /// address (http://gateway/) is a placeholder: the connection always goes to the socket.
    /// </summary>
    public static HttpClient CreateHttpClient(string socketPath, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        return new HttpClient(handler) { BaseAddress = new Uri("http://gateway/"), Timeout = timeout };
    }

    /// <summary>The vault's state in the running gateway, or null when no gateway answers on the socket.</summary>
    public async Task<VaultStatusReply?> StatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri("vault/status", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return (await ReadAsync(response, cancellationToken).ConfigureAwait(false)).Status;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException)
        {
            return null;
        }
    }

    public async Task<ControlResult> UnsealAsync(UnsealRequest? request, CancellationToken cancellationToken)
    {
        using var content = request is null
            ? (HttpContent)new ByteArrayContent([])
            : JsonContent.Create(request, ControlJsonContext.Default.UnsealRequest);
        using var response = await _http.PostAsync(new Uri("vault/unseal", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ControlResult> SealAsync(CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent([]);
        using var response = await _http.PostAsync(new Uri("vault/seal", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<ControlResult> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.IsSuccessStatusCode)
            {
                return new ControlResult(await response.Content.ReadFromJsonAsync(ControlJsonContext.Default.VaultStatusReply, cancellationToken).ConfigureAwait(false), null);
            }

            var error = await response.Content.ReadFromJsonAsync(ControlJsonContext.Default.ControlError, cancellationToken).ConfigureAwait(false);
            return new ControlResult(null, error?.Error ?? $"the gateway answered {(int)response.StatusCode}");
        }
        catch (JsonException)
        {
            return new ControlResult(null, $"the gateway answered {(int)response.StatusCode} with a body that is not a control reply");
        }
    }
}

/// <summary>A control request's outcome: the vault's state after it, or why it was refused.</summary>
internal sealed record ControlResult(VaultStatusReply? Status, string? Error);
