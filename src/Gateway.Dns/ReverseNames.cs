using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Dns;

/// <summary>Reverse-mapping names of addresses, the names PTR records live at.</summary>
public static class ReverseNames
{
    /// <summary>
    /// "4.3.2.1.in-addr.arpa" for 1.2.3.4 (RFC 1035 3.5); the 32 reversed nibbles under ip6.arpa for an
    /// IPv6 address (RFC 3596 2.5). An IPv4-mapped IPv6 address maps to its IPv4 name: it is an IPv4 peer.
    /// </summary>
    public static string For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var name = new StringBuilder(address.AddressFamily == AddressFamily.InterNetwork ? 29 : 73);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                name.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return name.Append("in-addr.arpa").ToString();
        }

        const string hex = "0123456789abcdef";
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            name.Append(hex[bytes[i] & 0xF]).Append('.').Append(hex[bytes[i] >> 4]).Append('.');
        }

        return name.Append("ip6.arpa").ToString();
    }
}
