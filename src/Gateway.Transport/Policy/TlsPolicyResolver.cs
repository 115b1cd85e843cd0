using Gateway.Transport.Dane;
using Gateway.Transport.MtaSts;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Policy;

/// <summary>
/// Decides the TLS requirement of each MX host of a destination, once per delivery attempt, before connecting (the
/// certificate check runs inside the handshake and must not look anything up). Precedence:
/// <list type="number">
/// <item>An explicit table entry other than "dane", "dane-only" or "mta-sts" wins outright: the administrator knows
/// the route (Postfix's smtp_tls_policy_maps).</item>
/// <item>DANE (RFC 8461 2: DANE first when both are published): when the MX RRset was DNSSEC-secure (RFC 7672 2.2.2)
/// and some host has secure TLSA records, the destination is DANE-protected and MTA-STS is not consulted. Hosts with
/// usable records get "dane"; hosts whose records are all unusable get "encrypt" (RFC 7672 2.2); hosts without
/// records get the default level (below). A host whose TLSA lookup failed is skipped (RFC 7672 2.1.1).</item>
/// <item>MTA-STS in enforce mode: only hosts matching the policy remain, with "mta-sts"; none left defers the
/// destination (RFC 8461 5.1). Testing mode keeps every host and only reports.</item>
/// <item>The table's default level ("may" unless configured), also for the hosts of a DANE destination that publish
/// no TLSA records. A default of "dane", "dane-only" or "mta-sts" is read as every domain's entry instead.</item>
/// </list>
/// Entry "dane" means DANE when available, else "may" (Postfix "dane"); "dane-only" means no delivery to a host
/// without usable secure TLSA records; "mta-sts" means MTA-STS only (no DANE), else "may".
/// </summary>
public sealed class TlsPolicyResolver
{
    private readonly TlsPolicyTable _table;
    private readonly TlsaResolver _tlsa;
    private readonly IMtaStsPolicySource _mtaSts;
    private readonly int _port;

    public TlsPolicyResolver(TlsPolicyTable table, TlsaResolver tlsa, IMtaStsPolicySource mtaSts, int port = 25)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(tlsa);
        ArgumentNullException.ThrowIfNull(mtaSts);
        _table = table;
        _tlsa = tlsa;
        _mtaSts = mtaSts;
        _port = port;
    }

    /// <param name="domain">The destination (recipient) domain: the TLS-RPT policy domain (RFC 8460 3).</param>
    /// <param name="mxRecordsAuthenticated">
    /// Whether the MX RRset (or, without MX, the domain's address records) came back DNSSEC-authenticated.
    /// </param>
    /// <param name="mxHosts">The MX host names in delivery order (the domain itself when it has no MX).</param>
    /// <param name="ct">Cancels the DNS lookups.</param>
    public async ValueTask<DestinationTlsPolicy> ResolveAsync(string domain, bool mxRecordsAuthenticated, IReadOnlyList<string> mxHosts, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentNullException.ThrowIfNull(mxHosts);
        var noPolicy = TlsRptPolicy.NoPolicy(domain);
        var entry = _table.Find(domain);
        if (entry is not null && entry.Level is not (TlsLevel.Dane or TlsLevel.DaneOnly or TlsLevel.MtaSts))
        {
            return new DestinationTlsPolicy(domain, [.. mxHosts.Select(h => Fixed(h, entry, noPolicy))], noPolicy);
        }

        // A default level of dane, dane-only or mta-sts reads as every domain's entry. A default of none, may,
        // encrypt or verify is what a host gets when its destination publishes neither DANE nor MTA-STS for it
        // (delivery.tls.level: "encrypt" must not send in plaintext there); dane and mta-sts fall back to "may".
        var defaultIsEntry = _table.Default.Level is TlsLevel.Dane or TlsLevel.DaneOnly or TlsLevel.MtaSts;
        var level = entry?.Level ?? (defaultIsEntry ? _table.Default.Level : null);
        var fallback = level is null ? _table.Default : TlsPolicyEntry.Default;
        if (level != TlsLevel.MtaSts)
        {
            var dane = await DaneAsync(domain, mxRecordsAuthenticated, mxHosts, level == TlsLevel.DaneOnly, fallback, ct).ConfigureAwait(false);
            if (dane is not null)
            {
                return dane;
            }
        }

        if (level is null or TlsLevel.MtaSts)
        {
            var lookup = await _mtaSts.GetPolicyAsync(domain, ct).ConfigureAwait(false);
            if (lookup.Policy is { Mode: not MtaStsMode.None } policy)
            {
                return MtaSts(domain, mxHosts, policy);
            }

            var failure = lookup.FailureResultType is { } type ? new TlsRptFailure(type, AdditionalInformation: lookup.FailureDetail) : null;
            return new DestinationTlsPolicy(domain, [.. mxHosts.Select(h => Fixed(h, fallback, noPolicy))], noPolicy, DiscoveryFailure: failure);
        }

        return new DestinationTlsPolicy(domain, [.. mxHosts.Select(h => Fixed(h, fallback, noPolicy))], noPolicy);
    }

    private static HopTlsRequirement Fixed(string host, TlsPolicyEntry entry, TlsRptPolicy report) => new()
    {
        Host = host,
        Level = entry.Level,
        VerifyNames = entry.MatchNames is { Count: > 0 } names ? names : [host],
        TrustAnchors = entry.TrustAnchors,
        Report = report,
    };

    /// <summary>Null when DANE does not govern the destination (and "dane-only" was not asked for).</summary>
    private async ValueTask<DestinationTlsPolicy?> DaneAsync(
        string domain, bool mxSecure, IReadOnlyList<string> hosts, bool daneOnly, TlsPolicyEntry fallback, CancellationToken ct)
    {
        var lookups = new List<TlsaLookupResult>(hosts.Count);
        foreach (var host in hosts)
        {
            lookups.Add(await _tlsa.LookupAsync(host, _port, mxSecure, ct).ConfigureAwait(false));
        }

        if (!daneOnly && !lookups.Any(l => l.Status is TlsaLookupStatus.Secure or TlsaLookupStatus.Failed))
        {
            return null;
        }

        var noPolicy = TlsRptPolicy.NoPolicy(domain);
        var hops = new List<HopTlsRequirement>(hosts.Count);
        foreach (var lookup in lookups)
        {
            hops.Add(DaneHop(domain, lookup, daneOnly, fallback, noPolicy));
        }

        var usable = hops.Where(h => h.UnavailableReason is null).ToList();
        if (usable.Count == 0)
        {
            var first = hops.FirstOrDefault();
            return new DestinationTlsPolicy(
                domain,
                hops,
                first?.Report ?? noPolicy,
                $"TLS required by DANE: no usable MX host for {domain}" + (first?.UnavailableReason is { } why ? " (" + why + ")" : string.Empty),
                first?.UnavailableResultType ?? TlsRptResultTypes.DaneRequired);
        }

        return new DestinationTlsPolicy(domain, hops, usable[0].Report);
    }

    private static HopTlsRequirement DaneHop(string domain, TlsaLookupResult lookup, bool daneOnly, TlsPolicyEntry fallback, TlsRptPolicy noPolicy)
    {
        var host = lookup.Host;

        // RFC 7672 3.2.2: the TLSA base domain (the MX host) and the next-hop domain are the reference names.
        IReadOnlyList<string> names = [host, domain];
        switch (lookup.Status)
        {
            case TlsaLookupStatus.Secure:
                var report = new TlsRptPolicy(TlsRptPolicyTypes.Tlsa, domain, [.. lookup.Records.Select(r => r.ToString())], [host]);
                if (lookup.Usable.Count == 0)
                {
                    return new HopTlsRequirement { Host = host, Level = TlsLevel.Encrypt, VerifyNames = names, Tlsa = lookup.Records, Report = report };
                }

                return new HopTlsRequirement
                {
                    Host = host,
                    Level = daneOnly ? TlsLevel.DaneOnly : TlsLevel.Dane,
                    VerifyNames = names,
                    Tlsa = lookup.Records,
                    Report = report,
                };
            case TlsaLookupStatus.Failed:
                return new HopTlsRequirement
                {
                    Host = host,
                    Level = daneOnly ? TlsLevel.DaneOnly : TlsLevel.Dane,
                    VerifyNames = names,
                    Report = new TlsRptPolicy(TlsRptPolicyTypes.Tlsa, domain, [], [host]),
                    UnavailableReason = lookup.Detail,
                    UnavailableResultType = lookup.FailureResultType,
                };
            default:
                if (daneOnly)
                {
                    return new HopTlsRequirement
                    {
                        Host = host,
                        Level = TlsLevel.DaneOnly,
                        VerifyNames = names,
                        Report = noPolicy,
                        UnavailableReason = $"no DNSSEC-secure TLSA records at {lookup.QueryName} ({Describe(lookup.Status)})",
                        UnavailableResultType = TlsRptResultTypes.DaneRequired,
                    };
                }

                return Fixed(host, fallback, noPolicy);
        }
    }

    private static string Describe(TlsaLookupStatus status) => status switch
    {
        TlsaLookupStatus.SecureNoRecords => "authenticated denial",
        TlsaLookupStatus.Insecure => "answer not DNSSEC-signed",
        TlsaLookupStatus.NotApplicable => "MX records not DNSSEC-signed",
        _ => status.ToString(),
    };

    private static DestinationTlsPolicy MtaSts(string domain, IReadOnlyList<string> hosts, MtaStsPolicy policy)
    {
        var testing = policy.Mode == MtaStsMode.Testing;
        var report = new TlsRptPolicy(TlsRptPolicyTypes.Sts, domain, PolicyLines(policy.Text), policy.MxPatterns);
        var hops = new List<HopTlsRequirement>(hosts.Count);
        foreach (var host in hosts)
        {
            // RFC 8461 4.1: in enforce mode a host that does not match is not a candidate at all.
            if (!testing && !policy.MatchesMx(host))
            {
                continue;
            }

            hops.Add(new HopTlsRequirement
            {
                Host = host,
                Level = TlsLevel.MtaSts,
                TestingOnly = testing,
                VerifyNames = [host],
                MtaSts = policy,
                Report = report,
            });
        }

        if (hops.Count == 0)
        {
            return new DestinationTlsPolicy(
                domain,
                [],
                report,
                $"TLS required by MTA-STS policy of {domain}: no MX host matches the policy ({string.Join(", ", hosts)} not in {string.Join(", ", policy.MxPatterns)})",
                TlsRptResultTypes.ValidationFailure);
        }

        return new DestinationTlsPolicy(domain, hops, report);
    }

    /// <summary>RFC 8460 4.3: the policy as a list of its lines, line endings removed.</summary>
    private static IReadOnlyList<string> PolicyLines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}
