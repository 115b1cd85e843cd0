using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Syntax;

namespace Gateway.Spam.Reputation;

/// <summary>The names a DNS list is asked at (RFC 5782 2.1 for addresses, 2.2 for domains).</summary>
public static class DnsListQuery
{
    /// <summary>
    /// "2.0.0.127.zone" for 127.0.0.2: the octets reversed (RFC 5782 2.1.1); for IPv6 the 32 nibbles reversed,
    /// lower-case hex (RFC 5782 2.4). An IPv4-mapped IPv6 address is the IPv4 client it carries.
    /// </summary>
    public static string ForAddress(IPAddress address, string zone)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(zone);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var name = new StringBuilder(80);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                name.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
        }
        else
        {
            const string hex = "0123456789abcdef";
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                name.Append(hex[bytes[i] & 0xF]).Append('.').Append(hex[bytes[i] >> 4]).Append('.');
            }
        }

        return name.Append(zone).ToString();
    }

    /// <summary>
    /// "domain.zone" (RFC 5782 2.2), or null when the two do not fit in one DNS name (253 characters, 63 per label):
    /// such a domain cannot be listed, and asking would only earn a malformed query.
    /// </summary>
    public static string? ForDomain(string domain, string zone)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(zone);
        var name = domain + "." + zone;
        return DomainName.FitsInDns(name) ? name : null;
    }
}
