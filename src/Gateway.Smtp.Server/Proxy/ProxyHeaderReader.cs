using System.IO.Pipelines;
using System.Net;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Proxy;

/// <summary>Reads the HAProxy PROXY header (v1 text / v2 binary) that precedes SMTP on a load-balanced listener.</summary>
internal static class ProxyHeaderReader
{
    /// <summary>
    /// The header arrives with the connection (HAProxy proxy-protocol spec 2.1: the sender puts it first, in one
    /// write); a peer that does not send it promptly is broken or hostile.
    /// </summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True when the peer may send a header at all: only configured load balancers can claim addresses.</summary>
    public static bool IsTrusted(IPAddress peer, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads one header. Returns the header (Source/Destination null for LOCAL / UNKNOWN), or null when the
    /// input is not a valid header or the peer closed first. Timeouts surface as <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<ProxyHeaderResult> ReadAsync(PipeReader reader, ProxyProtocolMode mode, CancellationToken cancellationToken)
    {
        var allowV1 = mode is ProxyProtocolMode.V1 or ProxyProtocolMode.Any;
        var allowV2 = mode is ProxyProtocolMode.V2 or ProxyProtocolMode.Any;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var status = ProxyProtocolParser.TryParse(ref buffer, allowV1, allowV2, out var header);
            switch (status)
            {
                case ProxyParseStatus.Complete:
                    // Whatever follows the header is the client's SMTP traffic: leave it in the pipe.
                    reader.AdvanceTo(buffer.Start);
                    return new ProxyHeaderResult(header, null);
                case ProxyParseStatus.Invalid:
                    reader.AdvanceTo(result.Buffer.Start);
                    return new ProxyHeaderResult(null, "invalid header");
                default:
                    reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        return new ProxyHeaderResult(null, "connection closed before the header was complete");
                    }

                    break;
            }
        }
    }
}
