using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;

namespace Gateway.Authentication.Spf;

/// <summary>
/// One run of check_host() (RFC 7208 4) with the state its limits need: DNS-querying terms and void lookups
/// counted across include and redirect (4.6.4), the client's validated names computed once for %{p}.
/// Not thread-safe; one instance per check.
/// </summary>
internal sealed class SpfEvaluation
{
    /// <summary>RFC 7208 4.6.4: at most 10 MX or PTR names are looked up per mechanism.</summary>
    private const int MaxNamesPerMechanism = 10;

    /// <summary>RFC 7208 7.3: an expanded domain name longer than 253 characters loses labels on the left.</summary>
    private const int MaxDomainLength = DomainName.MaxLength;

    private readonly IDnsResolver _dns;
    private readonly SpfOptions _options;
    private readonly Func<string, (SpfRecord? Record, string? Error)> _parse;
    private readonly IPAddress _client;
    private readonly bool _isV4;
    private readonly string _sender;
    private readonly string _localPart;
    private readonly string _senderDomain;
    private readonly string _helo;
    private readonly string _timestamp;
    private int _voidLookups;
    private List<string>? _validatedNames;

    public SpfEvaluation(IDnsResolver dns, SpfOptions options, Func<string, (SpfRecord?, string?)> parse, IPAddress client, string sender, string localPart, string senderDomain, string helo, DateTimeOffset now)
    {
        _dns = dns;
        _options = options;
        _parse = parse;
        _client = client;
        _isV4 = client.AddressFamily == AddressFamily.InterNetwork;
        _sender = sender;
        _localPart = localPart;
        _senderDomain = senderDomain;
        _helo = helo;
        _timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>DNS-querying mechanisms and modifiers evaluated so far.</summary>
    public int Lookups { get; private set; }

    /// <summary>
    /// RFC 7208 4.3: a domain check_host() can evaluate: a <see cref="DomainName"/> of at least two labels whose
    /// labels may also hold '_' and whose top label is not all-numeric (so an IP literal is not one).
    /// </summary>
    public static bool IsCheckableDomain(string domain) =>
        DomainName.IsValid(domain, DomainNameOptions.AllowUnderscore | DomainNameOptions.RequireMultipleLabels);

    /// <summary>check_host(&lt;ip&gt;, &lt;domain&gt;, &lt;sender&gt;) of RFC 7208 4, at this evaluation's limits.</summary>
    public async ValueTask<SpfOutcome> CheckHostAsync(string domain, CancellationToken ct)
    {
        domain = TrimRoot(domain);

        // RFC 7208 4.3: a malformed or single-label domain gives "none" without asking DNS.
        if (!IsCheckableDomain(domain))
        {
            return SpfOutcome.Error(SpfResult.None, $"'{domain}' is not a domain SPF can check");
        }

        // RFC 7208 4.4: TXT only (type SPF is not asked, RFC 7208 3.1, 14.1).
        var txt = await _dns.GetTxtAsync(domain, ct).ConfigureAwait(false);
        switch (txt.Status)
        {
            case DnsStatus.Timeout:
            case DnsStatus.ServerFailure:
                return SpfOutcome.Error(SpfResult.TempError, $"DNS {txt.Status} for TXT {domain}");
            case DnsStatus.NxDomain:
            case DnsStatus.NoData:
                return SpfOutcome.Error(SpfResult.None, $"no TXT records at {domain}");
        }

        // RFC 7208 4.5: exactly one record beginning "v=spf1"; other TXT records are none of our business.
        string? text = null;
        foreach (var candidate in txt.Records)
        {
            if (SpfRecord.IsSpf1(candidate))
            {
                if (text is not null)
                {
                    return SpfOutcome.Error(SpfResult.PermError, $"several v=spf1 records at {domain}");
                }

                text = candidate;
            }
        }

        if (text is null)
        {
            return SpfOutcome.Error(SpfResult.None, $"no v=spf1 record at {domain}");
        }

        if (text.Length > _options.MaxRecordLength)
        {
            return SpfOutcome.Error(SpfResult.PermError, $"record at {domain} is longer than {_options.MaxRecordLength} characters");
        }

        var (record, error) = _parse(text);
        if (record is null)
        {
            return SpfOutcome.Error(SpfResult.PermError, $"syntax error at {domain}: {error}");
        }

        return await EvaluateAsync(record, domain, ct).ConfigureAwait(false);
    }

    /// <summary>The exp= text for a fail (RFC 7208 6.2); null whenever the RFC says to go on as if there were none.</summary>
    public async ValueTask<string?> ExplainAsync(SpfRecord record, string domain, CancellationToken ct)
    {
        var name = await ExpandDomainAsync(record.Explanation!, domain, ct).ConfigureAwait(false);
        if (!DomainName.FitsInDns(name))
        {
            return null;
        }

        var txt = await _dns.GetTxtAsync(name, ct).ConfigureAwait(false);
        if (txt.Status != DnsStatus.Ok || txt.Records.Count != 1 || txt.Records[0].Length > _options.MaxRecordLength)
        {
            return null;
        }

        if (!SpfMacroString.TryParse(txt.Records[0], explanation: true, out var text, out _))
        {
            return null;
        }

        var validated = text!.UsesValidatedName ? await ValidatedNameAsync(domain, ct).ConfigureAwait(false) : "unknown";
        var expanded = text.Expand(Values(domain, validated));

        // Local-parts may carry anything the SMTP layer accepted; the text goes into a reply line.
        var clean = new StringBuilder(Math.Min(expanded.Length, _options.MaxExplanationLength));
        foreach (var c in expanded)
        {
            if (clean.Length == _options.MaxExplanationLength)
            {
                break;
            }

            clean.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return clean.ToString();
    }

    private async ValueTask<SpfOutcome> EvaluateAsync(SpfRecord record, string domain, CancellationToken ct)
    {
        // RFC 7208 4.6.2: directives in order, the first match decides.
        foreach (var directive in record.Directives)
        {
            if (directive.QueriesDns && !CountLookup())
            {
                return SpfOutcome.Error(SpfResult.PermError, $"more than {_options.MaxDnsLookups} DNS-querying terms (RFC 7208 4.6.4)", directive.Text);
            }

            var (match, problem) = await MatchAsync(directive, domain, ct).ConfigureAwait(false);
            switch (match)
            {
                case Match.Yes:
                    return new SpfOutcome(directive.Qualifier, directive.Text, null, record, domain);
                case Match.TempError:
                    return SpfOutcome.Error(SpfResult.TempError, problem!, directive.Text);
                case Match.PermError:
                    return SpfOutcome.Error(SpfResult.PermError, problem!, directive.Text);
            }
        }

        if (record.Redirect is null)
        {
            // RFC 7208 4.7: no match and no redirect is neutral.
            return new SpfOutcome(SpfResult.Neutral, null, null, null, null);
        }

        // RFC 7208 6.1: redirect counts as a lookup and replaces this record entirely, exp= included.
        if (!CountLookup())
        {
            return SpfOutcome.Error(SpfResult.PermError, $"more than {_options.MaxDnsLookups} DNS-querying terms (RFC 7208 4.6.4)", "redirect=" + record.Redirect.Text);
        }

        var target = await ExpandDomainAsync(record.Redirect, domain, ct).ConfigureAwait(false);
        var redirected = await CheckHostAsync(target, ct).ConfigureAwait(false);
        return redirected.Result == SpfResult.None
            ? SpfOutcome.Error(SpfResult.PermError, $"redirect target {target} has no SPF record", "redirect=" + record.Redirect.Text)
            : redirected;
    }

    private async ValueTask<(Match Match, string? Problem)> MatchAsync(SpfDirective directive, string domain, CancellationToken ct)
    {
        switch (directive.Kind)
        {
            case SpfMechanismKind.All:
                return (Match.Yes, null);

            case SpfMechanismKind.Ip4:
                // RFC 7208 5.6: ip4 never matches an IPv6 client and ip6 never an IPv4 one.
                return (_isV4 && InNetwork(directive.Network!, directive.Cidr4) ? Match.Yes : Match.No, null);

            case SpfMechanismKind.Ip6:
                return (!_isV4 && InNetwork(directive.Network!, directive.Cidr6) ? Match.Yes : Match.No, null);

            case SpfMechanismKind.A:
                {
                    var target = await TargetAsync(directive, domain, ct).ConfigureAwait(false);
                    var answer = await AddressesAsync(target, _isV4, ct).ConfigureAwait(false);
                    return Addresses(answer, directive, target);
                }

            case SpfMechanismKind.Mx:
                return await MatchMxAsync(directive, domain, ct).ConfigureAwait(false);

            case SpfMechanismKind.Ptr:
                return await MatchPtrAsync(directive, domain, ct).ConfigureAwait(false);

            case SpfMechanismKind.Exists:
                {
                    // RFC 7208 5.7: always an A query, whatever the client's family.
                    var target = await TargetAsync(directive, domain, ct).ConfigureAwait(false);
                    var answer = await AddressesAsync(target, v4: true, ct).ConfigureAwait(false);
                    return answer.Status switch
                    {
                        DnsStatus.Ok => (Match.Yes, null),
                        DnsStatus.Timeout or DnsStatus.ServerFailure => (Match.TempError, $"DNS {answer.Status} for A {target}"),
                        _ => Void(target),
                    };
                }

            case SpfMechanismKind.Include:
                {
                    var target = await TargetAsync(directive, domain, ct).ConfigureAwait(false);
                    var inner = await CheckHostAsync(target, ct).ConfigureAwait(false);

                    // RFC 7208 5.2 table: pass matches; fail, softfail, neutral do not; errors propagate; none is permerror.
                    return inner.Result switch
                    {
                        SpfResult.Pass => (Match.Yes, null),
                        SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => (Match.No, null),
                        SpfResult.TempError => (Match.TempError, inner.Problem),
                        SpfResult.PermError => (Match.PermError, inner.Problem),
                        _ => (Match.PermError, $"included domain {target} has no SPF record"),
                    };
                }

            default:
                return (Match.PermError, "unknown mechanism");
        }
    }

    private async ValueTask<(Match, string?)> MatchMxAsync(SpfDirective directive, string domain, CancellationToken ct)
    {
        var target = await TargetAsync(directive, domain, ct).ConfigureAwait(false);
        if (!DomainName.FitsInDns(target))
        {
            return Void(target);
        }

        var mx = await _dns.GetMxAsync(target, ct).ConfigureAwait(false);
        switch (mx.Status)
        {
            case DnsStatus.Timeout:
            case DnsStatus.ServerFailure:
                return (Match.TempError, $"DNS {mx.Status} for MX {target}");
            case DnsStatus.NxDomain:
            case DnsStatus.NoData:
                // RFC 7208 5.4: no MX records is no match; the target is not its own implicit MX.
                return Void(target);
        }

        if (mx.Records.Count > MaxNamesPerMechanism)
        {
            // RFC 7208 4.6.4: more than 10 MX records is permerror.
            return (Match.PermError, $"{target} has more than {MaxNamesPerMechanism} MX records (RFC 7208 4.6.4)");
        }

        foreach (var exchange in mx.Records)
        {
            if (exchange.IsNullMx)
            {
                continue;
            }

            var answer = await AddressesAsync(exchange.Exchange, _isV4, ct).ConfigureAwait(false);
            if (answer.Status is DnsStatus.Timeout or DnsStatus.ServerFailure)
            {
                return (Match.TempError, $"DNS {answer.Status} for {exchange.Exchange}");
            }

            if (answer.Status == DnsStatus.Ok && AnyInNetwork(answer.Records, directive))
            {
                return (Match.Yes, null);
            }
        }

        return (Match.No, null);
    }

    private async ValueTask<(Match, string?)> MatchPtrAsync(SpfDirective directive, string domain, CancellationToken ct)
    {
        var target = await TargetAsync(directive, domain, ct).ConfigureAwait(false);
        var ptr = await _dns.GetPtrAsync(_client, ct).ConfigureAwait(false);
        switch (ptr.Status)
        {
            case DnsStatus.NxDomain:
            case DnsStatus.NoData:
                return Void($"PTR of {_client}");
            case DnsStatus.Timeout:
            case DnsStatus.ServerFailure:
                // RFC 7208 5.5: a DNS error on the PTR lookup makes the mechanism not match.
                return (Match.No, null);
        }

        // RFC 7208 5.5: only names ending in the target need validating; at most 10 PTR names (4.6.4).
        var checkedNames = 0;
        foreach (var name in ptr.Records)
        {
            if (++checkedNames > MaxNamesPerMechanism)
            {
                break;
            }

            if (DomainName.IsSameOrSubdomain(name, target) && await ValidatesAsync(name, ct).ConfigureAwait(false))
            {
                return (Match.Yes, null);
            }
        }

        return (Match.No, null);
    }

    /// <summary>RFC 7208 5.5: a PTR name is validated when one of its addresses is the client's; errors skip the name.</summary>
    private async ValueTask<bool> ValidatesAsync(string name, CancellationToken ct)
    {
        var answer = await AddressesAsync(name, _isV4, ct).ConfigureAwait(false);
        if (answer.Status != DnsStatus.Ok)
        {
            return false;
        }

        foreach (var address in answer.Records)
        {
            if (address.Equals(_client))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// %{p} (RFC 7208 7.3): the validated name equal to the domain, else one below it, else any, else "unknown".
    /// Computed once per check (at most 10 PTR names, 4.6.4); DNS errors give "unknown".
    /// </summary>
    private async ValueTask<string> ValidatedNameAsync(string domain, CancellationToken ct)
    {
        if (_validatedNames is null)
        {
            var names = new List<string>();
            var ptr = await _dns.GetPtrAsync(_client, ct).ConfigureAwait(false);
            if (ptr.Status == DnsStatus.Ok)
            {
                var count = 0;
                foreach (var name in ptr.Records)
                {
                    if (++count > MaxNamesPerMechanism)
                    {
                        break;
                    }

                    if (await ValidatesAsync(name, ct).ConfigureAwait(false))
                    {
                        names.Add(name);
                    }
                }
            }

            _validatedNames = names;
        }

        string? below = null;
        foreach (var name in _validatedNames)
        {
            if (name.Equals(domain, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }

            if (below is null && DomainName.IsSameOrSubdomain(name, domain))
            {
                below = name;
            }
        }

        return below ?? (_validatedNames.Count > 0 ? _validatedNames[0] : "unknown");
    }

    private (Match, string?) Addresses(DnsAnswer<IPAddress> answer, SpfDirective directive, string target) => answer.Status switch
    {
        DnsStatus.Ok => (AnyInNetwork(answer.Records, directive) ? Match.Yes : Match.No, null),
        DnsStatus.Timeout or DnsStatus.ServerFailure => (Match.TempError, $"DNS {answer.Status} for {target}"),
        _ => Void(target),
    };

    /// <summary>RFC 7208 4.6.4: a lookup with no answer counts as void; past the limit it is permerror.</summary>
    private (Match, string?) Void(string target) =>
        ++_voidLookups > _options.MaxVoidLookups
            ? (Match.PermError, $"more than {_options.MaxVoidLookups} void lookups (RFC 7208 4.6.4), last {target}")
            : (Match.No, null);

    private bool CountLookup() => ++Lookups <= _options.MaxDnsLookups;

    /// <summary>
    /// A or AAAA of a name; a name no query can carry (an expansion with an empty or over-long label) is
    /// treated as non-existent (RFC 7208 4.3 by analogy, 4.8) rather than sent.
    /// </summary>
    private ValueTask<DnsAnswer<IPAddress>> AddressesAsync(string name, bool v4, CancellationToken ct)
    {
        if (!DomainName.FitsInDns(name))
        {
            return ValueTask.FromResult(new DnsAnswer<IPAddress>(DnsStatus.NxDomain, [], TimeSpan.Zero));
        }

        return v4 ? _dns.GetAAsync(name, ct) : _dns.GetAaaaAsync(name, ct);
    }

    private bool AnyInNetwork(IReadOnlyList<IPAddress> addresses, SpfDirective directive)
    {
        var prefix = _isV4 ? directive.Cidr4 : directive.Cidr6;
        foreach (var address in addresses)
        {
            if (InNetwork(address, prefix))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the client and <paramref name="network"/> share the first <paramref name="prefix"/> bits.</summary>
    private bool InNetwork(IPAddress network, int prefix)
    {
        if (network.IsIPv4MappedToIPv6 && _isV4)
        {
            network = network.MapToIPv4();
        }

        if (network.AddressFamily != _client.AddressFamily)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        _client.TryWriteBytes(a, out var length);
        network.TryWriteBytes(b, out _);
        var full = prefix / 8;
        if (!a[..full].SequenceEqual(b[..full]))
        {
            return false;
        }

        var bits = prefix % 8;
        if (bits == 0 || full >= length)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - bits));
        return (a[full] & mask) == (b[full] & mask);
    }

    private async ValueTask<string> TargetAsync(SpfDirective directive, string domain, CancellationToken ct) =>
        directive.DomainSpec is null ? domain : await ExpandDomainAsync(directive.DomainSpec, domain, ct).ConfigureAwait(false);

    /// <summary>A domain-spec expanded for a query: trailing dot dropped, left labels cut past 253 characters (RFC 7208 7.3).</summary>
    private async ValueTask<string> ExpandDomainAsync(SpfMacroString spec, string domain, CancellationToken ct)
    {
        var validated = spec.UsesValidatedName ? await ValidatedNameAsync(domain, ct).ConfigureAwait(false) : "unknown";
        var name = TrimRoot(spec.Expand(Values(domain, validated)));
        if (name.Length <= MaxDomainLength)
        {
            return name;
        }

        // Left labels are dropped until the name fits: in one step, after the first dot that leaves at most 253
        // characters (a name without such a dot keeps only its last label, which is then too long to query).
        var dot = name.IndexOf('.', name.Length - MaxDomainLength - 1);
        if (dot < 0)
        {
            dot = name.LastIndexOf('.');
        }

        return dot < 0 ? name : name[(dot + 1)..];
    }

    private SpfMacroValues Values(string domain, string validatedName) => new(
        Sender: _sender,
        LocalPart: _localPart,
        SenderDomain: _senderDomain,
        Domain: domain,
        IpDotted: DottedIp(),
        ValidatedName: validatedName,
        IpVersion: _isV4 ? "in-addr" : "ip6",
        Helo: _helo,
        ClientReadable: _client.ToString(),
        ReceivingHost: _options.ReceivingHost,
        Timestamp: _timestamp);

    /// <summary>%{i} (RFC 7208 7.3): dotted quad for IPv4; 32 dot-separated nibbles for IPv6.</summary>
    private string DottedIp()
    {
        if (_isV4)
        {
            return _client.ToString();
        }

        const string hex = "0123456789abcdef";
        var bytes = _client.GetAddressBytes();
        var text = new StringBuilder(63);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(hex[b >> 4]).Append('.').Append(hex[b & 0xF]);
        }

        return text.ToString();
    }

    /// <summary>The name without one trailing root dot (RFC 7208 7.3 expansions and identities may end in one).</summary>
    internal static string TrimRoot(string name) => name.EndsWith('.') ? name[..^1] : name;

    private enum Match
    {
        No,
        Yes,
        TempError,
        PermError,
    }
}
