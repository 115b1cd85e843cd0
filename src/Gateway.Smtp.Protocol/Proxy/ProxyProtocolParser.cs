using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Syntax;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// HAProxy PROXY protocol header, version 1 (text) and 2 (binary), as specified in HAProxy's
/// proxy-protocol.txt. Strict: anything the spec does not define, or does not allow here, is Invalid.
/// </summary>
public static class ProxyProtocolParser
{
    /// <summary>Spec 2.1: a v1 header is at most 107 octets including the CRLF.</summary>
    public const int MaxV1Length = 107;

    /// <summary>
    /// Bound on the v2 address-plus-TLV block. The spec allows 65535; real load balancers send a few hundred
    /// octets of TLVs at most, and a bound keeps an unauthenticated peer from making us buffer 64 KiB.
    /// </summary>
    public const int MaxV2BlockLength = 2048;

    private const int V2HeaderLength = 16;
    private const int V1PrefixLength = 6;

    /// <summary>Spec 2.2: the v2 signature.</summary>
    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>
    /// Reads one header from the start of <paramref name="buffer"/>. On Complete the buffer is advanced past it;
    /// otherwise it is left as it was.
    /// </summary>
    public static ProxyParseStatus TryParse(ref ReadOnlySequence<byte> buffer, bool allowV1, bool allowV2, out ProxyHeader? header)
    {
        header = null;
        Span<byte> head = stackalloc byte[V2HeaderLength];
        var available = (int)Math.Min(buffer.Length, V2HeaderLength);
        buffer.Slice(0, available).CopyTo(head);
        head = head[..available];

        var v2 = allowV2 && head[..Math.Min(available, V2Signature.Length)].SequenceEqual(V2Signature[..Math.Min(available, V2Signature.Length)]);
        var v1 = allowV1 && head[..Math.Min(available, V1PrefixLength)].SequenceEqual(V1Prefix[..Math.Min(available, V1PrefixLength)]);
        if (available == 0)
        {
            return allowV1 || allowV2 ? ProxyParseStatus.Incomplete : ProxyParseStatus.Invalid;
        }

        if (v2)
        {
            return ParseV2(ref buffer, head, out header);
        }

        return v1 ? ParseV1(ref buffer, out header) : ProxyParseStatus.Invalid;
    }

    /// <summary>Spec 2.1: "PROXY" SP ("TCP4" / "TCP6") SP src SP dst SP sport SP dport CRLF, or "PROXY UNKNOWN" ... CRLF.</summary>
    private static ProxyParseStatus ParseV1(ref ReadOnlySequence<byte> buffer, out ProxyHeader? header)
    {
        header = null;
        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxV1Length));
        var lf = window.PositionOf((byte)'\n');
        if (lf is null)
        {
            return window.Length >= MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.Incomplete;
        }

        var lineBytes = window.Slice(0, lf.Value).ToArray();
        if (lineBytes.Length == 0 || lineBytes[^1] != '\r' || !Ascii.IsValid(lineBytes.AsSpan(0, lineBytes.Length - 1)))
        {
            return ProxyParseStatus.Invalid;
        }

        var line = Encoding.ASCII.GetString(lineBytes, 0, lineBytes.Length - 1);
        if (line.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0)
        {
            return ProxyParseStatus.Invalid;
        }

        var tokens = line.Split(' ');
        var status = tokens.Length >= 2 && tokens[1] == "UNKNOWN"
            ? ProxyParseStatus.Complete
            : ParseV1Addresses(tokens, out header);
        if (status == ProxyParseStatus.Complete)
        {
            header ??= new ProxyHeader(null, null);
            buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));
        }

        return status;
    }

    private static ProxyParseStatus ParseV1Addresses(string[] tokens, out ProxyHeader? header)
    {
        header = null;
        if (tokens.Length != 6 || tokens[1] is not ("TCP4" or "TCP6"))
        {
            return ProxyParseStatus.Invalid;
        }

        var family = tokens[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (!TryParseV1Address(tokens[2], family, out var source)
            || !TryParseV1Address(tokens[3], family, out var destination)
            || !TryParsePort(tokens[4], out var sourcePort)
            || !TryParsePort(tokens[5], out var destinationPort))
        {
            return ProxyParseStatus.Invalid;
        }

        header = new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return ProxyParseStatus.Complete;
    }

    private static bool TryParseV1Address(string text, AddressFamily family, out IPAddress address) =>
        family == AddressFamily.InterNetwork
            ? IPAddressText.TryParseIPv4(text, out address)
            : IPAddressText.TryParseIPv6(text, out address);

    /// <summary>Ports are 1-5 decimal digits, 0-65535, without leading zeros.</summary>
    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= IPEndPoint.MaxPort;
    }

    /// <summary>Spec 2.2: signature, ver_cmd, fam, len (network order), address block, TLVs.</summary>
    private static ProxyParseStatus ParseV2(ref ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> head, out ProxyHeader? header)
    {
        header = null;
        if (head.Length < V2HeaderLength)
        {
            return ProxyParseStatus.Incomplete;
        }

        var versionCommand = head[12];
        var family = head[13];
        var length = BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        var command = versionCommand & 0x0F;
        if ((versionCommand & 0xF0) != 0x20 || command > 1 || length > MaxV2BlockLength)
        {
            return ProxyParseStatus.Invalid;
        }

        if (buffer.Length < V2HeaderLength + length)
        {
            return ProxyParseStatus.Incomplete;
        }

        var block = buffer.Slice(V2HeaderLength, length).ToArray();

        // LOCAL (0x0): the receiver uses the real connection endpoints and ignores family and addresses.
        var status = command == 0 ? ProxyParseStatus.Complete : ParseV2Addresses(family, block, out header);
        if (status == ProxyParseStatus.Complete)
        {
            header ??= new ProxyHeader(null, null);
            buffer = buffer.Slice(V2HeaderLength + length);
        }

        return status;
    }

    private static ProxyParseStatus ParseV2Addresses(byte family, ReadOnlySpan<byte> block, out ProxyHeader? header)
    {
        header = null;

        // Only TCP over IPv4 (0x11) and TCP over IPv6 (0x21): SMTP is a stream protocol and we need a real peer.
        var addressLength = family switch
        {
            0x11 => 4,
            0x21 => 16,
            _ => 0,
        };
        var addressBlock = (addressLength * 2) + 4;
        if (addressLength == 0 || block.Length < addressBlock || !TlvsAreWellFormed(block[addressBlock..]))
        {
            return ProxyParseStatus.Invalid;
        }

        var source = new IPAddress(block[..addressLength]);
        var destination = new IPAddress(block.Slice(addressLength, addressLength));
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block[(addressLength * 2)..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block[((addressLength * 2) + 2)..]);
        header = new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return ProxyParseStatus.Complete;
    }

    /// <summary>Spec 2.2.7: TLVs are type, 16-bit length, value; they are skipped, but must tile the rest exactly.</summary>
    private static bool TlvsAreWellFormed(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (tlvs.Length < 3 + length)
            {
                return false;
            }

            tlvs = tlvs[(3 + length)..];
        }

        return true;
    }
}
