using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Policy;
using Gateway.Transport.MtaSts;

namespace Gateway.Host.MtaSts;

/// <summary>
/// Our own MTA-STS policy as served at https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt (RFC 8461 3.2), with the
/// id of its _mta-sts TXT record derived from the text: the id changes exactly when the served policy changes,
/// which is what tells senders to fetch it again (RFC 8461 3.1).
/// </summary>
internal sealed record PublishedMtaStsPolicy(string Text, string Id)
{
    /// <summary>The media type RFC 8461 3.2 requires.</summary>
    public const string ContentType = "text/plain";

    public static PublishedMtaStsPolicy For(GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var publish = policy.MtaSts;
        var text = new StringBuilder();

        // RFC 8461 3.2: "key: value" lines ending in CRLF; version first by convention.
        text.Append("version: STSv1\r\n");
        text.Append("mode: ").Append(ModeName(publish.Mode)).Append("\r\n");
        var mx = publish.Mx.Count > 0 ? publish.Mx : [policy.HostName];
        foreach (var pattern in mx)
        {
            text.Append("mx: ").Append(pattern).Append("\r\n");
        }

        text.Append("max_age: ").Append(((long)publish.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        var body = text.ToString();

        // RFC 8461 3.1: id is 1-32 alphanumerics; 20 hex digits of a hash change whenever the text does.
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(body)))[..20];
        return new PublishedMtaStsPolicy(body, id);
    }

    /// <summary>The TXT records to publish for <paramref name="domain"/>, in zone-file form.</summary>
    public IReadOnlyList<string> Records(GatewayPolicy policy, string domain)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var records = new List<string>
        {
            $"_mta-sts.{domain}. IN TXT \"v=STSv1; id={Id}\"",
        };

        if (policy.MtaSts.ReportTo is { } rua)
        {
            records.Add($"_smtp._tls.{domain}. IN TXT \"v=TLSRPTv1; rua={rua}\"");
        }

        return records;
    }

    private static string ModeName(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };
}
