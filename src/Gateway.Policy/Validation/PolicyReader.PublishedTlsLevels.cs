using Gateway.Policy.Yaml;
using Gateway.Transport;

namespace Gateway.Policy.Validation;

/// <summary>
/// The outbound TLS levels that rest on what a destination publishes (dane, dane-only, mta-sts), checked against the
/// switches they need once delivery: and dns: are both read: a level written for a destination whose lookup is
/// switched off would silently never act (dane and mta-sts become "may", dane-only never delivers at all).
/// </summary>
internal sealed partial class PolicyReader
{
    private readonly List<(string Name, TlsLevel Level, YamlNode Node)> _publishedTlsLevels = [];

    /// <summary>Remembers a level written in the file that needs DANE or MTA-STS lookups.</summary>
    private void NotePublishedTlsLevel(string name, TlsLevel level, YamlNode node)
    {
        if (level is TlsLevel.Dane or TlsLevel.DaneOnly or TlsLevel.MtaSts)
        {
            _publishedTlsLevels.Add((name, level, node));
        }
    }

    private void CheckPublishedTlsLevels(OutboundTlsPolicy tls, DnsPolicy dns)
    {
        foreach (var (name, level, node) in _publishedTlsLevels)
        {
            if (level == TlsLevel.MtaSts)
            {
                if (!tls.MtaSts)
                {
                    Error(node, $"{name}: 'mta-sts' needs delivery.tls.mta_sts: true (without it no MTA-STS policy is fetched and the level is only 'may')");
                }

                continue;
            }

            var written = level == TlsLevel.DaneOnly ? "dane-only" : "dane";
            var consequence = level == TlsLevel.DaneOnly
                ? "no MX host ever qualifies and the mail is never delivered"
                : "the level is only 'may'";
            if (!tls.Dane)
            {
                Error(node, $"{name}: '{written}' needs delivery.tls.dane: true (without it {consequence})");
            }
            else if (dns.Dnssec != DnssecMode.Validating)
            {
                // RFC 7672 2.1.1: only a validating resolver's answers make TLSA records usable; with dnssec off the
                // gateway trusts no answer, so the failure would otherwise read as the destination's fault.
                Error(node, $"{name}: '{written}' needs dns.dnssec: validating (without it no TLSA record counts as DNSSEC-secure, so {consequence})");
            }
        }
    }
}
