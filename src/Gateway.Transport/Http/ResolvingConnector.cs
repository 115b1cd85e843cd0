using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Abstractions;

namespace Gateway.Transport.Http;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> that finds the host's addresses with the gateway's
/// <see cref="IDnsResolver"/> (never the system resolver, so a configured resolver or a test zone is the only truth)
/// and connects to them in the order given. Used by the MTA-STS fetcher (RFC 8461 3.3) and the TLS-RPT https sender.
/// </summary>
public sealed class ResolvingConnector
{
    private readonly IDnsResolver _dns;

    public ResolvingConnector(IDnsResolver dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    /// <summary>Connects to the context's host and port; a lookup or connection failure throws <see cref="IOException"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endPoint = context.DnsEndPoint;
        var answer = await _dns.GetAddressesAsync(endPoint.Host, ct).ConfigureAwait(false);
        if (answer.Status != DnsStatus.Ok || answer.Records.Count == 0)
        {
            throw new IOException($"address lookup of {endPoint.Host}: {answer.Status}");
        }

        SocketException? last = null;
        foreach (var address in answer.Records)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new IOException($"no address of {endPoint.Host} accepted a connection on port {endPoint.Port.ToString(CultureInfo.InvariantCulture)}: {last?.Message}");
    }
}
