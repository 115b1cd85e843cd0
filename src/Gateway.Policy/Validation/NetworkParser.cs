using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Syntax;

namespace Gateway.Policy.Validation;

/// <summary>
/// Strict parsing of IP addresses, CIDR networks and "address:port" endpoints. Stricter than
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>, which also accepts "10", "10.1", "0x0a.0.0.1"
/// and "010.0.0.1": in an access list every spelling must mean exactly what it looks like.
/// </summary>
internal static class NetworkParser
{
    /// <summary>Dotted quad (RFC 791 notation) of decimal octets without leading zeros, or an IPv6 address (RFC 4291 2.2) without a zone.</summary>
    public static string? TryParseAddress(string text, out IPAddress address)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal))
            {
                address = IPAddress.None;
                return $"'{Echo.Of(text)}': IPv6 zone indexes (%) are not allowed";
            }

            return IPAddressText.TryParseIPv6(text, out address) ? null : $"'{Echo.Of(text)}' is not a valid IPv6 address";
        }

        if (IPAddressText.TryParseIPv4(text, out address))
        {
            return null;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return $"'{Echo.Of(text)}' is not a valid IP address (IPv4 needs four decimal octets, e.g. 192.0.2.1)";
        }

        var large = parts.FirstOrDefault(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) && octet > 255);
        return large is null
            ? $"'{Echo.Of(text)}' is not a valid IP address (IPv4 octets are decimal 0-255 without leading zeros)"
            : $"'{Echo.Of(text)}' is not a valid IP address (octet {large} is above 255)";
    }

    /// <summary>
    /// "address/prefix" or a bare address (= /32 or /128). Host bits set ("10.1.2.3/16") are an error, not
    /// silently masked: the admin meant something and we cannot know which.
    /// </summary>
    public static string? TryParseNetwork(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        var error = TryParseAddress(addressText, out var address);
        if (error is not null)
        {
            return error;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            // Clients are compared as IPv4 after unmapping (TrustDecider), so a mapped network would never match.
            return $"'{Echo.Of(text)}' is an IPv4-mapped IPv6 network; write it as IPv4";
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3
                || (prefixText.Length > 1 && prefixText[0] == '0')
                || !prefixText.All(char.IsAsciiDigit)
                || (prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture)) > maxPrefix)
            {
                return $"'{Echo.Of(text)}' has an invalid prefix length (0-{maxPrefix})";
            }
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                var masked = Mask(bytes, prefix);
                return $"'{Echo.Of(text)}' has host bits set; did you mean '{masked}/{prefix}'?";
            }
        }

        network = new IPNetwork(address, prefix);
        return null;
    }

    /// <summary>
    /// Why trusting <paramref name="network"/> to relay would make the gateway an open relay, or null: a network wider
    /// than a /8 (IPv4) or a /16 (IPv6) outside the private, loopback and link-local ranges is a good part of the
    /// internet (0.0.0.0/0 all of it). No organisation's own servers need that; a typo or "let everyone in while
    /// testing" does, and spammers find such relays within hours.
    /// </summary>
    public static string? OpenRelayProblem(IPNetwork network)
    {
        var ipv4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (network.PrefixLength >= (ipv4 ? 8 : 16) || PrivateRanges.Any(range => range.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily
            && range.PrefixLength <= network.PrefixLength && range.Contains(network.BaseAddress)))
        {
            return null;
        }

        return network.PrefixLength == 0
            ? $"'{network}' trusts every address on the internet to relay: the gateway would be an open relay"
            : $"'{network}' trusts a /{network.PrefixLength} of the internet to relay (wider than a /{(ipv4 ? 8 : 16)} outside private ranges): the gateway would be an open relay to all of it";
    }

    private static readonly IPNetwork[] PrivateRanges =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"),
    ];

    /// <summary>"192.0.2.1:25" or "[2001:db8::1]:25" (RFC 3986 3.2.2 brackets), port 1-65535.</summary>
    public static string? TryParseEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        string addressText;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return $"'{Echo.Of(text)}' is not an endpoint; expected [IPv6]:port";
            }

            addressText = text[1..close];
            portText = text[(close + 2)..];
            if (!addressText.Contains(':', StringComparison.Ordinal))
            {
                return $"'{Echo.Of(text)}': brackets are only for IPv6 addresses";
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                return $"'{Echo.Of(text)}' has no port; expected address:port (IPv6 as [address]:port)";
            }

            addressText = text[..colon];
            portText = text[(colon + 1)..];
            if (addressText.Contains(':', StringComparison.Ordinal))
            {
                return $"'{Echo.Of(text)}': write IPv6 endpoints as [address]:port";
            }
        }

        var error = TryParseAddress(addressText, out var address);
        if (error is not null)
        {
            return error;
        }

        if (!HostParser.TryParsePort(portText, out var port))
        {
            return $"'{Echo.Of(text)}' has an invalid port (1-65535)";
        }

        endPoint = new IPEndPoint(address, port);
        return null;
    }

    private static IPAddress Mask(byte[] bytes, int prefix)
    {
        var copy = (byte[])bytes.Clone();
        for (var bit = prefix; bit < copy.Length * 8; bit++)
        {
            copy[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(copy);
    }
}
