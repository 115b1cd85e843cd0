using Gateway.Authentication.Dkim;
using Gateway.Testing.Peers;

namespace Gateway.Bench;

/// <summary>
/// The sending domain of the benches that check sender authentication, served by knot on 127.0.0.1: SPF allows
/// loopback, the DKIM key is the one the bench signs with (selector "sel"), DMARC asks for reject.
/// </summary>
internal static class SenderZone
{
    public const string Domain = "sender.bench";

    public static Task<KnotDns> StartAsync(DkimGeneratedKey key) =>
        KnotDns.StartAsync(new Dictionary<string, string>
        {
            [Domain] =
                "@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\n" +
                $"sel._domainkey TXT {key.ToZoneFileText()}\n" +
                "_dmarc TXT \"v=DMARC1; p=reject\"\n",
        });
}
