using System.Net;
using System.Net.Sockets;

namespace Gateway.Spam.Reputation;

/// <summary>
/// Which answers of a list count as a listing for one entry: any (no filter), the exact codes given (127.0.0.2 for
/// Spamhaus SBL, 127.0.0.10 for PBL...), or a bitmask over the last octet (SURBL and URIBL "multi" zones encode one
/// list per bit). With codes and a mask both, an answer matching either counts.
/// </summary>
public sealed record DnsListCodes
{
    public static DnsListCodes Any { get; } = new();

    /// <summary>Exact answers that count; empty: no exact filter.</summary>
    public IReadOnlyList<IPAddress> Codes { get; init; } = [];

    /// <summary>Bits of the answer's last octet of which one must be set; 0: no bit filter.</summary>
    public byte Mask { get; init; }

    public bool IsAny => Codes.Count == 0 && Mask == 0;

    public bool Matches(IPAddress answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (IsAny)
        {
            return true;
        }

        if (Codes.Contains(answer))
        {
            return true;
        }

        return Mask != 0 && answer.AddressFamily == AddressFamily.InterNetwork && (answer.GetAddressBytes()[3] & Mask) != 0;
    }
}
