using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Policy.Validation;

/// <summary>
/// Next hops: a host is an IP literal or a host name, optionally with a port ("host:port", "[ipv6]:port").
/// Host names come out canonical (lower-case A-labels), addresses as their canonical text, so the same
/// destination always has one spelling.
/// </summary>
internal static class HostParser
{
    /// <summary>An IPv4/IPv6 literal (strict, see <see cref="NetworkParser.TryParseAddress"/>) or a valid host name.</summary>
    public static string? TryParseHost(string text, out string host)
    {
        host = string.Empty;
        if (text.Length == 0)
        {
            return "host is empty";
        }

        if (text.StartsWith('['))
        {
            return $"'{Echo.Of(text)}': write the address without brackets";
        }

        if (text.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 && colon == text.LastIndexOf(':'))
        {
            // One colon is never an IPv6 address (RFC 4291 2.2 needs at least two).
            return $"'{Echo.Of(text)}' looks like host:port; give the host alone (the port has its own key)";
        }

        if (LooksLikeAddress(text))
        {
            // "10.0.0.256" or "1.2.3" must fail as an address, not as a host name with a numeric top label.
            var problem = TryParseUnicast(text, out var address);
            if (problem is not null)
            {
                return problem;
            }

            host = address.ToString();
            return null;
        }

        return DomainNameParser.TryCanonicalize(text, requireFullyQualified: false, out host);
    }

    /// <summary>
    /// "host", "host:port", "[ipv6]" or "[ipv6]:port"; without a port, <paramref name="defaultPort"/>. IPv6
    /// needs the brackets even without a port: "::1:53" is a valid address (::0.1.0.83), so a bare one cannot
    /// be told from address:port and would silently mean something else. With <paramref name="allowNames"/>
    /// false the host must be an IP address.
    /// </summary>
    public static string? TryParseHostPort(string text, int defaultPort, bool allowNames, out string host, out int port)
    {
        host = string.Empty;
        port = defaultPort;
        string hostText;
        string? portText = null;
        if (text.StartsWith('['))
        {
            // RFC 3986 3.2.2: brackets delimit an IPv6 literal so its colons are not read as the port separator.
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return $"'{Echo.Of(text)}' has no closing ']'";
            }

            hostText = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return $"'{Echo.Of(text)}': expected [IPv6] or [IPv6]:port";
                }

                portText = rest[1..];
            }

            if (!hostText.Contains(':', StringComparison.Ordinal))
            {
                return $"'{Echo.Of(text)}': brackets are only for IPv6 addresses";
            }
        }
        else
        {
            var first = text.IndexOf(':', StringComparison.Ordinal);
            if (first >= 0 && first == text.LastIndexOf(':'))
            {
                hostText = text[..first];
                portText = text[(first + 1)..];
            }
            else if (first >= 0)
            {
                return $"'{Echo.Of(text)}': write IPv6 addresses in brackets, [address] or [address]:port";
            }
            else
            {
                hostText = text;
            }
        }

        if (portText is not null && !TryParsePort(portText, out port))
        {
            return $"'{Echo.Of(text)}' has an invalid port (1-65535)";
        }

        if (!allowNames && !LooksLikeAddress(hostText))
        {
            return $"'{Echo.Of(text)}' is not an IP address; expected ip, ip:port or [ipv6]:port";
        }

        return TryParseHost(hostText, out host);
    }

    /// <summary>Decimal 1-65535 without sign, blanks or leading zeros.</summary>
    public static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535;
    }

    private static bool LooksLikeAddress(string text) =>
        text.Contains(':', StringComparison.Ordinal) || (text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.'));

    /// <summary>An address we can connect to: not unspecified, "this network", broadcast, multicast or v4-mapped.</summary>
    private static string? TryParseUnicast(string text, out IPAddress address)
    {
        var problem = NetworkParser.TryParseAddress(text, out address);
        if (problem is not null)
        {
            return problem;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return $"'{Echo.Of(text)}' is an IPv4-mapped IPv6 address; write it as IPv4";
        }

        var bytes = address.GetAddressBytes();
        var notUnicast = address.AddressFamily == AddressFamily.InterNetwork
            ? bytes[0] == 0 || (bytes[0] & 0xF0) == 0xE0 || address.Equals(IPAddress.Broadcast) // RFC 1122 3.2.1.3; RFC 5771
            : address.Equals(IPAddress.IPv6Any) || address.IsIPv6Multicast;                       // RFC 4291 2.5.2, 2.7
        return notUnicast ? $"'{Echo.Of(text)}' is not a unicast address" : null;
    }
}
