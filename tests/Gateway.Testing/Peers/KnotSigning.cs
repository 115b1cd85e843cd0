using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Gateway.Testing.Peers;

/// <summary>Waits for knot's automatic signing of a zone and reads the zone's DS from knot's key database.</summary>
internal static class KnotSigning
{
    /// <summary>
    /// Polls knot until it serves the zone's DNSKEY with its RRSIG. Knot signs a zone as one transaction after
    /// loading it and publishes only the signed version, so a signed DNSKEY set means every record is signed.
    /// </summary>
    public static async Task WaitSignedAsync(IPEndPoint server, string zone, Func<bool> exited)
    {
        var client = new LookupClient(new LookupClientOptions(server)
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(1),
            RequestDnsSecRecords = true,
            ThrowDnsErrors = false,
        });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                var response = await client.QueryAsync(zone, QueryType.DNSKEY);
                if (response.Answers.OfType<DnsKeyRecord>().Any() && response.Answers.OfType<RRSigRecord>().Any())
                {
                    return;
                }
            }
            catch (DnsResponseException) when (DateTime.UtcNow < deadline)
            {
                // Not answering yet; asked again below.
            }

            if (exited())
            {
                throw new InvalidOperationException($"knotd exited before signing {zone}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"knotd did not sign {zone} within 20 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The zone's DS with the SHA-256 digest (type 2, RFC 4509), as keymgr prints it.</summary>
    public static async Task<string> DsAsync(string configFile, string zone)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("keymgr", ["-c", configFile, zone, "ds"], TimeSpan.FromSeconds(20));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"keymgr ds {zone} failed: {output}");
        }

        // keymgr prints one DS per digest type: "<zone>. DS <tag> <algorithm> <digest type> <digest>".
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(line => line.Split(' ') is [_, "DS", _, _, "2", _])
            ?? throw new InvalidOperationException($"keymgr printed no SHA-256 DS for {zone}: {output}");
    }
}
