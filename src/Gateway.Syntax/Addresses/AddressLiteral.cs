using System.Net;
using System.Net.Sockets;

namespace Gateway.Syntax;

/// <summary>
/// RFC 5321 4.1.3 address literals: "[" IPv4-address-literal "]" or "[IPv6:" IPv6-addr "]". A
/// General-address-literal ("[tag:content]") is refused: no standardized tag besides IPv6 exists and nothing
/// could route to it.
/// </summary>
public static class AddressLiteral
{
    private const string IPv6Tag = "IPv6:";

    /// <summary>The address a literal names (strict forms, see <see cref="IPAddressText"/>).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length < 3 || text[0] != '[' || text[^1] != ']')
        {
            return false;
        }

        var inner = text[1..^1];
        var colon = inner.IndexOf(':');
        if (colon < 0)
        {
            return IPAddressText.TryParseIPv4(inner, out address);
        }

        // RFC 5321 4.1.3: Standardized-tag "IPv6" (ABNF strings are case-insensitive, RFC 5234 2.3).
        return colon == IPv6Tag.Length - 1
            && inner[..(colon + 1)].Equals(IPv6Tag, StringComparison.OrdinalIgnoreCase)
            && IPAddressText.TryParseIPv6(inner[(colon + 1)..], out address);
    }

    /// <summary>The canonical spelling of a literal ("[IPv6:2001:db8::1]" in RFC 5952 form), or false.</summary>
    public static bool TryCanonicalize(ReadOnlySpan<char> text, out string literal)
    {
        literal = string.Empty;
        if (!TryParse(text, out var address))
        {
            return false;
        }

        literal = Format(address);
        return true;
    }

    /// <summary>
    /// The literal for an address: "[192.0.2.1]" or "[IPv6:2001:db8::1]". A scope id is local to this host and
    /// is not written.
    /// </summary>
    public static string Format(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "[" + address + "]";
        }

        var unscoped = address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
        return "[" + IPv6Tag + unscoped + "]";
    }
}
