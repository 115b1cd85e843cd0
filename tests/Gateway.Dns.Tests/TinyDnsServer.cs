using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Dns.Tests;

/// <summary>
/// A minimal authoritative-style DNS responder on 127.0.0.1 (UDP, plus TCP on the same port for the
/// truncation fallback), answering a fixed set of names. Only what the resolver tests need:
/// MX, A, AAAA, TXT, PTR, CNAME, NXDOMAIN with and without an SOA, SERVFAIL, REFUSED, a truncated UDP
/// answer and a silent name.
/// </summary>
internal sealed class TinyDnsServer : IAsyncDisposable
{
    private const ushort TypeA = 1;
    private const ushort TypeCname = 5;
    private const ushort TypePtr = 12;
    private const ushort TypeSoa = 6;
    private const ushort TypeMx = 15;
    private const ushort TypeTxt = 16;
    private const ushort TypeAaaa = 28;

    private readonly UdpClient _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;

    private TinyDnsServer(UdpClient udp, TcpListener tcp)
    {
        _udp = udp;
        _tcp = tcp;
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries { get; private set; }

    public static TinyDnsServer Start()
    {
        // UDP and TCP must share the port number; retry if the TCP side of a random UDP port is taken.
        for (var attempt = 0; ; attempt++)
        {
            var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            var tcp = new TcpListener(IPAddress.Loopback, port);
            try
            {
                tcp.Start();
                return new TinyDnsServer(udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Stop();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task UdpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Interlocked.Increment(ref _udpQueries);
            var reply = Answer(received.Buffer, viaTcp: false);
            if (reply is not null)
            {
                await _udp.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            using (client)
            {
                try
                {
                    // RFC 1035 4.2.2: TCP messages carry a two-octet length prefix.
                    var stream = client.GetStream();
                    var lengthBytes = new byte[2];
                    await stream.ReadExactlyAsync(lengthBytes, _stop.Token);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
                    await stream.ReadExactlyAsync(query, _stop.Token);
                    TcpQueries++;
                    var reply = Answer(query, viaTcp: true);
                    if (reply is not null)
                    {
                        var framed = new byte[reply.Length + 2];
                        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                        reply.CopyTo(framed, 2);
                        await stream.WriteAsync(framed, _stop.Token);
                    }
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static byte[]? Answer(byte[] query, bool viaTcp)
    {
        // Question: 12-octet header, QNAME labels, QTYPE, QCLASS (RFC 1035 4.1.2).
        var offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            var length = query[offset];
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += 1 + length;
        }

        offset++;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset));
        var questionEnd = offset + 4;
        var name = string.Join('.', labels).ToLowerInvariant();

        var rcode = 0;
        var truncated = false;
        var answers = new List<byte[]>();
        var authority = new List<byte[]>();
        switch (name)
        {
            case "example.test" when type == TypeMx:
                answers.Add(Record(TypeMx, 3600, [.. U16(20), .. Name("mx2.example.test")]));
                answers.Add(Record(TypeMx, 600, [.. U16(10), .. Name("MX1.Example.Test")]));
                break;
            case "example.test" when type == TypeTxt:
                answers.Add(Record(TypeTxt, 300, [.. CharacterString("v=spf1 "), .. CharacterString("-all")]));
                break;
            case "example.test":
                authority.Add(Soa(900, 120));
                break;
            case "mx1.example.test" when type == TypeA:
                answers.Add(Record(TypeA, 300, [192, 0, 2, 10]));
                break;
            case "mx1.example.test" when type == TypeAaaa:
                answers.Add(Record(TypeAaaa, 200, IPAddress.Parse("2001:db8::10").GetAddressBytes()));
                break;
            case "v4only.example.test" when type == TypeA:
                answers.Add(Record(TypeA, 300, [192, 0, 2, 11]));
                break;
            case "v4only.example.test":
                authority.Add(Soa(900, 120));
                break;
            case "nullmx.test" when type == TypeMx:
                answers.Add(Record(TypeMx, 300, [.. U16(0), 0]));
                break;
            case "4.3.2.1.in-addr.arpa" when type == TypePtr:
                answers.Add(Record(TypePtr, 300, Name("Mail.Example.Test")));
                answers.Add(Record(TypePtr, 100, Name("other.example.test")));
                break;
            case "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" when type == TypePtr:
                answers.Add(Record(TypePtr, 300, Name("mx1.example.test")));
                break;
            case "alias.example.test" when type == TypeA:
                // A recursive server answers the CNAME and the target's records together (RFC 1034 3.6.2).
                answers.Add(Record(TypeCname, 300, Name("mx1.example.test")));
                answers.Add(RecordAt(Name("mx1.example.test"), TypeA, 250, [192, 0, 2, 10]));
                break;
            case "cnameonly.test" when type == TypeA:
                answers.Add(Record(TypeCname, 300, Name("elsewhere.test")));
                authority.Add(Soa(900, 45));
                break;
            case "nosoa.test":
                rcode = 3;
                break;
            case "servfail.test":
                rcode = 2;
                break;
            case "refused.test":
                rcode = 5;
                break;
            case "silent.test":
                return null;
            case "big.test" when type == TypeTxt:
                if (!viaTcp)
                {
                    truncated = true;
                }
                else
                {
                    answers.Add(Record(TypeTxt, 300, [.. CharacterString(new string('a', 200)), .. CharacterString(new string('b', 200))]));
                    answers.Add(Record(TypeTxt, 300, [.. CharacterString(new string('c', 200))]));
                }

                break;
            default:
                rcode = 3;
                authority.Add(Soa(3600, 60));
                break;
        }

        var reply = new List<byte>();
        reply.AddRange(query.AsSpan(0, 2).ToArray());
        var flags = (ushort)(0x8000 | 0x0400 | 0x0100 | 0x0080 | rcode);
        if (truncated)
        {
            flags |= 0x0200;
        }

        reply.AddRange(U16(flags));
        reply.AddRange(U16(1));
        reply.AddRange(U16((ushort)answers.Count));
        reply.AddRange(U16((ushort)authority.Count));
        reply.AddRange(U16(0));
        reply.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var record in answers.Concat(authority))
        {
            reply.AddRange(record);
        }

        return [.. reply];
    }

    private static byte[] Soa(uint ttl, uint minimum) =>
        Record(TypeSoa, ttl, [.. Name("ns.test"), .. Name("hostmaster.test"), .. U32(1), .. U32(3600), .. U32(600), .. U32(86400), .. U32(minimum)]);

    /// <summary>Owner is a compression pointer to the question name at offset 12 (RFC 1035 4.1.4).</summary>
    private static byte[] Record(ushort type, uint ttl, byte[] data) => RecordAt([0xC0, 0x0C], type, ttl, data);

    private static byte[] RecordAt(byte[] owner, ushort type, uint ttl, byte[] data) =>
        [.. owner, .. U16(type), .. U16(1), .. U32(ttl), .. U16((ushort)data.Length), .. data];

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    private static byte[] CharacterString(string text) => [(byte)text.Length, .. Encoding.ASCII.GetBytes(text)];

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
