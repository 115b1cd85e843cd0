using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Gateway.Delivery.Routing;

/// <summary>
/// Whether an address is one of this machine's, asked the kernel at the time of the question: a UDP socket binds to
/// a local address and is refused (EADDRNOTAVAIL) for any other. Unlike a list of interface addresses read at
/// start, it follows addresses that come and go (DHCP, failover), and it needs no netlink socket, which the
/// hardened service does not allow itself. Where the kernel binds any address (ip_nonlocal_bind), the answer means
/// nothing; that is detected with an address no host has (TEST-NET-1) and the interface list is read instead.
/// </summary>
internal sealed class LocalAddressProbe
{
    private static readonly IPAddress NeverLocal = IPAddress.Parse("192.0.2.1");

    private readonly HashSet<IPAddress>? _fallback;

    public LocalAddressProbe()
    {
        _fallback = CanBind(NeverLocal) ? ReadInterfaceAddresses() : null;
    }

    public bool IsLocal(IPAddress address) => _fallback?.Contains(address) ?? CanBind(address);

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static HashSet<IPAddress> ReadInterfaceAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address.IsIPv4MappedToIPv6 ? u.Address.MapToIPv4() : u.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
