using System.Buffers.Binary;

namespace Gateway.Bench;

/// <summary>
/// Tells from the bytes a server sent in its first TLS flight whether it resumed a session. TLS 1.3 (RFC 8446
/// 4.2.11): the ServerHello carries a pre_shared_key extension only when the server accepted the client's ticket.
/// TLS 1.2 (RFC 5246 7.3, RFC 5077 3.1): an abbreviated handshake has no Certificate message after the ServerHello.
/// The ServerHello and what follows it in TLS 1.2 are plaintext, so no key is needed.
/// </summary>
internal static class ServerHelloInspector
{
    private const byte HandshakeRecord = 22;
    private const byte ChangeCipherSpecRecord = 20;
    private const byte ServerHello = 2;
    private const byte Certificate = 11;
    private const ushort PreSharedKey = 41;
    private const ushort SupportedVersions = 43;
    private const ushort Tls13 = 0x0304;

    // RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random.
    private static readonly byte[] HelloRetryRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    /// <summary>True: resumed; false: full handshake; null: the bytes hold no readable ServerHello.</summary>
    public static bool? Resumed(ReadOnlySpan<byte> fromServer)
    {
        // The handshake messages of the leading handshake records, joined (a message may span records).
        var handshake = new List<byte>();
        var afterHandshake = (byte)0;
        while (fromServer.Length >= 5)
        {
            var type = fromServer[0];
            var length = BinaryPrimitives.ReadUInt16BigEndian(fromServer[3..]);
            if (type != HandshakeRecord)
            {
                afterHandshake = type;
                break;
            }

            var payload = fromServer[5..];
            handshake.AddRange(payload[..Math.Min(length, payload.Length)]);
            fromServer = payload[Math.Min(length, payload.Length)..];
        }

        var messages = handshake.ToArray().AsSpan();
        if (messages.Length < 4 || messages[0] != ServerHello)
        {
            return null;
        }

        var helloLength = (messages[1] << 16) | (messages[2] << 8) | messages[3];
        if (messages.Length < 4 + helloLength)
        {
            return null;
        }

        var hello = messages.Slice(4, helloLength);
        var rest = messages[(4 + helloLength)..];

        // legacy_version(2) random(32) session_id(1+n) cipher_suite(2) compression(1) extensions(2+n)
        if (hello.Length < 35 || hello.Slice(2, 32).SequenceEqual(HelloRetryRandom))
        {
            return null;
        }

        var offset = 34 + 1 + hello[34] + 2 + 1;
        var tls13 = false;
        var preSharedKey = false;
        if (hello.Length >= offset + 2)
        {
            var extensions = hello.Slice(offset + 2, Math.Min(BinaryPrimitives.ReadUInt16BigEndian(hello[offset..]), hello.Length - offset - 2));
            while (extensions.Length >= 4)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
                var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]), extensions.Length - 4);
                var data = extensions.Slice(4, length);
                tls13 |= type == SupportedVersions && data.Length == 2 && BinaryPrimitives.ReadUInt16BigEndian(data) == Tls13;
                preSharedKey |= type == PreSharedKey;
                extensions = extensions[(4 + length)..];
            }
        }

        if (tls13)
        {
            return preSharedKey;
        }

        // TLS 1.2: a full handshake sends its Certificate next; an abbreviated one a NewSessionTicket or ChangeCipherSpec.
        return rest.Length > 0 ? rest[0] != Certificate : afterHandshake == ChangeCipherSpecRecord ? true : null;
    }
}
