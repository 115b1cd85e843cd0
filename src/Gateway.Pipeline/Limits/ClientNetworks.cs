using System.Net;
using System.Net.Sockets;

namespace Gateway.Pipeline.Limits;

/// <summary>The address and the network a client is counted and greylisted as.</summary>
public static class ClientNetworks
{
    /// <summary>An IPv4-mapped IPv6 address as the IPv4 address it is, so a dual-stack listener counts it like IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>The network of <paramref name="address"/>: its first <paramref name="ipv4Prefix"/> or <paramref name="ipv6Prefix"/> bits.</summary>
    public static IPNetwork Of(IPAddress address, int ipv4Prefix, int ipv6Prefix)
    {
        var normalized = Normalize(address);
        var ipv4 = normalized.AddressFamily == AddressFamily.InterNetwork;
        var prefix = ipv4 ? ipv4Prefix : ipv6Prefix;
        Span<byte> bytes = stackalloc byte[ipv4 ? 4 : 16];
        normalized.TryWriteBytes(bytes, out _);
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        // The scope id of a link-local address is not part of the network.
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
