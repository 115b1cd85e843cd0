using System.Globalization;
using Gateway.Abstractions;
using Gateway.Delivery.Verification;
using Gateway.Host.Spool;
using Gateway.Pipeline.Recipients;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Recipient verification's parts that outlive policy snapshots, per domain: the cache of answers (and the message
/// size its internal server declared), and for LDAP the directory's kept connections. Kept across reloads that leave
/// the domain's settings alone, as <see cref="SmimeHost"/> keeps its directory; a changed setting (for call-ahead, a
/// changed route too) starts afresh. Each snapshot gets its <see cref="RecipientVerification"/> from here; call-ahead
/// goes through that snapshot's delivery settings.
/// </summary>
internal sealed class RecipientsHost : IDisposable
{
    /// <summary>Searches of one domain's directory at a time; LDAP servers answer in milliseconds.</summary>
    private const int LdapConcurrency = 10;

    private readonly TimeProvider _time;
    private readonly IDnsResolver _dns;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Dictionary<string, Kept> _kept = new(StringComparer.Ordinal);

    public RecipientsHost(TimeProvider time, IDnsResolver dns, ILoggerFactory loggers)
    {
        _time = time;
        _dns = dns;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Gateway.Pipeline");
    }

    /// <summary>The verification of one snapshot; an LDAP password file that cannot be read is a policy error.</summary>
    public RecipientVerification Build(GatewayPolicy policy, List<PolicyError> problems)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(problems);
        var lookups = new Dictionary<string, RecipientLookup>(StringComparer.Ordinal);
        CallAheadProbe? probe = null;
        lock (_gate)
        {
            var next = new Dictionary<string, Kept>(StringComparer.Ordinal);
            foreach (var (domain, settings) in policy.Recipients.Domains)
            {
                if (settings.Ldap is { } ldap)
                {
                    var identity = "ldap\n" + LdapSettings.Identity(ldap);
                    if (!_kept.TryGetValue(domain, out var kept) || kept.Identity != identity)
                    {
                        if (LdapSettings.Build(ldap, $"recipients.{domain}.ldap", problems) is not { } search)
                        {
                            continue;
                        }

                        kept = new Kept(identity, Cache(domain, ldap.CacheFound, ldap.CacheNotFound, LdapConcurrency, ldap.Timeout), new LdapRecipientSource(search));
                    }

                    next[domain] = kept;
                    lookups[domain] = new RecipientLookup(kept.Cache, kept.Ldap!);
                }
                else if (settings.CallAhead is { } callAhead)
                {
                    var identity = "call-ahead\n" + callAhead.Identity + "\n" + RouteIdentity(policy.Delivery, domain);
                    if (!_kept.TryGetValue(domain, out var kept) || kept.Identity != identity)
                    {
                        kept = new Kept(identity, Cache(domain, callAhead.CacheFound, callAhead.CacheNotFound, callAhead.Concurrency, callAhead.Timeout), null);
                    }

                    probe ??= new CallAheadProbe(ReloadingDeliveryAgent.ToOptions(policy), _dns, _time, _loggers);
                    next[domain] = kept;
                    lookups[domain] = new RecipientLookup(kept.Cache, new CallAheadSource(probe, callAhead.Timeout));
                }
            }

            // What the new policy no longer names is let go; snapshots still holding it go on using it until they end
            // (a directory keeps working after Dispose, on new connections).
            foreach (var (domain, old) in _kept)
            {
                if (!next.TryGetValue(domain, out var kept) || !ReferenceEquals(kept, old))
                {
                    old.Ldap?.Dispose();
                }
            }

            _kept = next;
        }

        return new RecipientVerification(policy.Recipients, lookups);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var kept in _kept.Values)
            {
                kept.Ldap?.Dispose();
                kept.Cache.Dispose();
            }

            _kept.Clear();
        }
    }

    private RecipientCache Cache(string domain, TimeSpan found, TimeSpan notFound, int concurrency, TimeSpan wait) =>
        new(domain, found, notFound, concurrency, wait, _time, _logger);

    /// <summary>The internal hosts call-ahead asks for <paramref name="domain"/>: a changed route is another server, another cache.</summary>
    private static string RouteIdentity(DeliveryPolicy delivery, string domain)
    {
        var hosts = delivery.Routes.GetValueOrDefault(domain) ?? delivery.Routes.GetValueOrDefault("*") ?? [];
        return string.Join(
            ",",
            hosts.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Host}:{h.Port}/{h.Preference}/{h.Tls}")));
    }

    private sealed record Kept(string Identity, RecipientCache Cache, LdapRecipientSource? Ldap);
}
