using System.Buffers;
using System.Net;
using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class ProxyProtocolParserTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static byte[] V2(byte versionCommand, byte family, byte[] block) =>
        [.. Signature, versionCommand, family, (byte)(block.Length >> 8), (byte)block.Length, .. block];

    private static byte[] CorruptedSignature() => [.. Signature[..11], 0x0B, 0x21, 0x11, 0x00, 0x0C, .. V4Block()];

    private static byte[] V4Block(params byte[] tlvs) =>
        [192, 0, 2, 10, 198, 51, 100, 1, 0xC3, 0x50, 0x00, 0x19, .. tlvs];

    /// <summary>Feeds the input in every two-piece split and octet by octet; all runs must agree.</summary>
    private static (ProxyParseStatus Status, ProxyHeader? Header, string Remaining) ParseAtEverySplit(byte[] input, bool allowV1 = true, bool allowV2 = true)
    {
        (ProxyParseStatus, ProxyHeader?, string)? first = null;
        foreach (var split in Segments.Splits(input))
        {
            byte[] pending = [];
            var status = ProxyParseStatus.Incomplete;
            ProxyHeader? header = null;
            var rest = string.Empty;
            var done = false;
            foreach (var chunk in split)
            {
                if (done)
                {
                    pending = [.. pending, .. chunk];
                    continue;
                }

                var buffer = Segments.Create(pending, chunk);
                var before = buffer.Length;
                status = ProxyProtocolParser.TryParse(ref buffer, allowV1, allowV2, out header);
                if (status != ProxyParseStatus.Complete)
                {
                    Assert.Equal(before, buffer.Length);
                    Assert.Null(header);
                }

                done = status != ProxyParseStatus.Incomplete;
                pending = buffer.ToArray();
            }

            rest = Encoding.Latin1.GetString(pending);
            var outcome = (status, header, rest);
            first ??= outcome;
            Assert.Equal(first, outcome);
        }

        return first!.Value;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void V1_tcp4()
    {
        var (status, header, rest) = ParseAtEverySplit(Ascii("PROXY TCP4 192.0.2.10 198.51.100.1 50000 25\r\nEHLO x\r\n"));

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000), header!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 25), header.Destination);
        Assert.Equal("EHLO x\r\n", rest);
    }

    [Fact]
    public void V1_tcp6()
    {
        var (status, header, _) = ParseAtEverySplit(Ascii("PROXY TCP6 2001:db8::1 2001:db8::2 65535 0\r\n"));

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 65535), header!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::2"), 0), header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void V1_unknown_means_use_the_socket(string line)
    {
        var (status, header, rest) = ParseAtEverySplit(Ascii(line));

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new ProxyHeader(null, null), header);
        Assert.Equal(string.Empty, rest);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 50000 25\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 50000\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 50000 25 1\r\n")]
    [InlineData("PROXY TCP4  192.0.2.10 198.51.100.1 50000 25\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 65536 25\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 050 25\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 -1 25\r\n")]
    [InlineData("PROXY TCP4 127.1 198.51.100.1 1 25\r\n")]
    [InlineData("PROXY TCP4 192.0.2.010 198.51.100.1 1 25\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 198.51.100.1 1 25\r\n")]
    [InlineData("PROXY TCP6 192.0.2.1 2001:db8::2 1 25\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::2 1 25\r\n")]
    [InlineData("PROXY UDP4 192.0.2.10 198.51.100.1 1 25\r\n")]
    [InlineData("PROXY tcp4 192.0.2.10 198.51.100.1 1 25\r\n")]
    [InlineData("PROXY\r\n")]
    [InlineData("proxy TCP4 192.0.2.10 198.51.100.1 1 25\r\n")]
    [InlineData("EHLO mail.example\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10\t198.51.100.1 1 25\r\n")]
    public void V1_invalid(string line)
    {
        Assert.Equal(ProxyParseStatus.Invalid, ParseAtEverySplit(Ascii(line)).Status);
    }

    [Fact]
    public void V1_longer_than_107_octets_is_invalid_without_waiting_for_a_line_end()
    {
        var buffer = Segments.Create(Ascii("PROXY UNKNOWN " + new string('x', 93)));
        Assert.Equal(107, buffer.Length);

        Assert.Equal(ProxyParseStatus.Invalid, ProxyProtocolParser.TryParse(ref buffer, true, true, out _));

        var exactly = Segments.Create(Ascii("PROXY UNKNOWN " + new string('x', 91) + "\r\n"));
        Assert.Equal(ProxyParseStatus.Complete, ProxyProtocolParser.TryParse(ref exactly, true, true, out _));
    }

    [Fact]
    public void V2_proxy_tcp4_with_tlvs()
    {
        byte[] tlvs = [0x04, 0x00, 0x02, 0xAA, 0xBB, 0x01, 0x00, 0x00];
        var (status, header, rest) = ParseAtEverySplit([.. V2(0x21, 0x11, V4Block(tlvs)), .. Ascii("EHLO")]);

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000), header!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 25), header.Destination);
        Assert.Equal("EHLO", rest);
    }

    [Fact]
    public void V2_proxy_tcp6()
    {
        var source = IPAddress.Parse("2001:db8::1").GetAddressBytes();
        var destination = IPAddress.Parse("2001:db8::2").GetAddressBytes();
        byte[] block = [.. source, .. destination, 0x01, 0xBB, 0x02, 0x4B];

        var (status, header, _) = ParseAtEverySplit(V2(0x21, 0x21, block));

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443), header!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::2"), 587), header.Destination);
    }

    [Fact]
    public void V2_local_means_use_the_socket()
    {
        var (status, header, rest) = ParseAtEverySplit([.. V2(0x20, 0x00, []), .. Ascii("X")]);

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(new ProxyHeader(null, null), header);
        Assert.Equal("X", rest);

        // LOCAL ignores family and address block.
        Assert.Equal(ProxyParseStatus.Complete, ParseAtEverySplit(V2(0x20, 0x11, V4Block())).Status);
    }

    public static TheoryData<byte[]> InvalidV2 => new()
    {
        V2(0x11, 0x11, V4Block()),                 // version 1 in a v2 header
        V2(0x22, 0x11, V4Block()),                 // unknown command
        V2(0x21, 0x12, V4Block()),                 // UDP over IPv4
        V2(0x21, 0x31, new byte[216]),             // UNIX stream
        V2(0x21, 0x00, []),                        // PROXY with AF_UNSPEC
        V2(0x21, 0x11, V4Block()[..11]),           // truncated address block
        V2(0x21, 0x21, V4Block()),                 // IPv6 family, IPv4-sized block
        V2(0x21, 0x11, V4Block(0x04, 0x00)),       // truncated TLV header
        V2(0x21, 0x11, V4Block(0x04, 0x00, 0x05, 1, 2)), // TLV longer than the block
        V2(0x21, 0x11, new byte[ProxyProtocolParser.MaxV2BlockLength + 1]), // overlong
        CorruptedSignature(),
    };

    [Theory]
    [MemberData(nameof(InvalidV2))]
    public void V2_invalid(byte[] input)
    {
        Assert.Equal(ProxyParseStatus.Invalid, ParseAtEverySplit(input).Status);
    }

    [Fact]
    public void V2_overlong_is_refused_from_the_header_alone()
    {
        byte[] head = [.. Signature, 0x21, 0x11, 0xFF, 0xFF];
        var buffer = Segments.Create(head);

        Assert.Equal(ProxyParseStatus.Invalid, ProxyProtocolParser.TryParse(ref buffer, true, true, out _));
    }

    [Fact]
    public void Disallowed_versions_are_invalid()
    {
        Assert.Equal(ProxyParseStatus.Invalid, ParseAtEverySplit(Ascii("PROXY UNKNOWN\r\n"), allowV1: false).Status);
        Assert.Equal(ProxyParseStatus.Invalid, ParseAtEverySplit(V2(0x20, 0x00, []), allowV2: false).Status);
    }

    [Fact]
    public void Empty_buffer_is_incomplete()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.Equal(ProxyParseStatus.Incomplete, ProxyProtocolParser.TryParse(ref buffer, true, true, out var header));
        Assert.Null(header);
    }
}
