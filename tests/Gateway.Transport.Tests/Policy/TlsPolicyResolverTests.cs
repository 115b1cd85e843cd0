using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Transport.Dane;
using Gateway.Transport.MtaSts;
using Gateway.Transport.Policy;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Tests.Policy;

public sealed class TlsPolicyResolverTests
{
    private static readonly TlsaRecord Usable = new(3, 1, 1, Enumerable.Repeat((byte)0xab, 32).ToArray());
    private static readonly TlsaRecord PkixOnly = new(1, 1, 1, new byte[32]);

    private readonly InMemoryDnsResolver _dns = new();
    private readonly FakeMtaStsPolicySource _sts = new();

    private TlsPolicyResolver Resolver(TlsPolicyTable? table = null) => new(table ?? TlsPolicyTable.Empty, new TlsaResolver(_dns), _sts);

    private static TlsPolicyTable Override(string domain, TlsLevel level) => new([new(domain, new TlsPolicyEntry(level))]);

    [Fact]
    public async Task Without_anything_published_every_host_is_opportunistic()
    {
        var policy = await Resolver().ResolveAsync("example.org", false, ["mx1.example.org", "mx2.example.org"], CancellationToken.None);

        Assert.Null(policy.DeferReason);
        Assert.All(policy.Hops, h => Assert.Equal(TlsLevel.May, h.Level));
        Assert.All(policy.Hops, h => Assert.False(h.TlsMandatory));
        Assert.Equal(TlsRptPolicyTypes.NoPolicyFound, policy.Report.PolicyType);
    }

    [Fact]
    public async Task Signed_mx_and_signed_tlsa_make_the_host_dane_and_skip_mta_sts()
    {
        _dns.AddTlsa("_25._tcp.mx1.example.org", Usable).SetSigned("example.org");
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "mx1.example.org");

        var policy = await Resolver().ResolveAsync("example.org", true, ["mx1.example.org", "mx2.example.org"], CancellationToken.None);

        var dane = policy.For("mx1.example.org")!;
        Assert.Equal(TlsLevel.Dane, dane.Level);
        Assert.True(dane.TlsMandatory);
        Assert.Equal([Usable], dane.Tlsa);
        Assert.Equal(["mx1.example.org", "example.org"], dane.VerifyNames);
        Assert.Equal(TlsRptPolicyTypes.Tlsa, dane.Report.PolicyType);
        Assert.Equal("example.org", dane.Report.PolicyDomain);
        Assert.Equal([Usable.ToString()], dane.Report.PolicyStrings);
        Assert.Equal(["mx1.example.org"], dane.Report.MxHosts);
        Assert.Equal(TlsLevel.May, policy.For("mx2.example.org")!.Level);
        Assert.Equal(0, _sts.Lookups);
    }

    [Fact]
    public async Task Signed_tlsa_under_an_unsigned_mx_set_does_not_count()
    {
        _dns.AddTlsa("_25._tcp.mx1.example.org", Usable).SetSigned("example.org");

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx1.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.May, policy.Hops[0].Level);
        Assert.Equal(1, _sts.Lookups);
    }

    [Fact]
    public async Task Unsigned_tlsa_is_ignored()
    {
        _dns.AddTlsa("_25._tcp.mx1.example.org", Usable);

        var policy = await Resolver().ResolveAsync("example.org", true, ["mx1.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.May, policy.Hops[0].Level);
    }

    [Fact]
    public async Task Only_unusable_records_mean_mandatory_unauthenticated_tls()
    {
        _dns.AddTlsa("_25._tcp.mx1.example.org", PkixOnly).SetSigned("example.org");

        var policy = await Resolver().ResolveAsync("example.org", true, ["mx1.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.Encrypt, policy.Hops[0].Level);
        Assert.True(policy.Hops[0].TlsMandatory);
    }

    [Fact]
    public async Task A_failed_tlsa_lookup_skips_the_host_and_defers_when_none_is_left()
    {
        _dns.SetStatus("_25._tcp.mx1.example.org", DnsStatus.ServerFailure).SetSigned("example.org");

        var policy = await Resolver().ResolveAsync("example.org", true, ["mx1.example.org"], CancellationToken.None);

        Assert.NotNull(policy.Hops[0].UnavailableReason);
        Assert.Equal(TlsRptResultTypes.DnssecInvalid, policy.DeferResultType);
        Assert.StartsWith("TLS required by DANE: no usable MX host for example.org", policy.DeferReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_tlsa_lookup_leaves_the_other_hosts()
    {
        _dns.SetStatus("_25._tcp.mx1.example.org", DnsStatus.Timeout).AddTlsa("_25._tcp.mx2.example.org", Usable).SetSigned("example.org");

        var policy = await Resolver().ResolveAsync("example.org", true, ["mx1.example.org", "mx2.example.org"], CancellationToken.None);

        Assert.Null(policy.DeferReason);
        Assert.NotNull(policy.For("mx1.example.org")!.UnavailableReason);
        Assert.Equal(TlsLevel.Dane, policy.For("mx2.example.org")!.Level);
    }

    [Fact]
    public async Task Mta_sts_enforce_removes_hosts_outside_the_policy()
    {
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "*.example.org");

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx1.example.org", "mx.attacker.test", "a.b.example.org"], CancellationToken.None);

        var hop = Assert.Single(policy.Hops);
        Assert.Equal("mx1.example.org", hop.Host);
        Assert.Equal(TlsLevel.MtaSts, hop.Level);
        Assert.True(hop.TlsMandatory);
        Assert.False(hop.TestingOnly);
        Assert.Equal(TlsRptPolicyTypes.Sts, hop.Report.PolicyType);
        Assert.Equal(["*.example.org"], hop.Report.MxHosts);
        Assert.Equal(["version: STSv1", "mode: enforce", "mx: *.example.org", "max_age: 86400"], hop.Report.PolicyStrings);
    }

    [Fact]
    public async Task Mta_sts_enforce_with_no_matching_host_defers()
    {
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "mx.example.org");

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx.attacker.test"], CancellationToken.None);

        Assert.Empty(policy.Hops);
        Assert.StartsWith("TLS required by MTA-STS policy of example.org: no MX host matches", policy.DeferReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mta_sts_testing_keeps_every_host_and_only_reports()
    {
        _sts.AddPolicy("example.org", MtaStsMode.Testing, "mx.example.org");

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx.example.org", "mx.other.test"], CancellationToken.None);

        Assert.Equal(2, policy.Hops.Count);
        Assert.All(policy.Hops, h => Assert.True(h.TestingOnly));
        Assert.All(policy.Hops, h => Assert.False(h.TlsMandatory));
    }

    [Fact]
    public async Task Mta_sts_mode_none_is_no_policy()
    {
        _sts.AddPolicy("example.org", MtaStsMode.None, "mx.example.org");

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx.other.test"], CancellationToken.None);

        Assert.Equal(TlsLevel.May, Assert.Single(policy.Hops).Level);
    }

    [Fact]
    public async Task A_failed_policy_fetch_is_delivered_opportunistically_and_reported()
    {
        _sts.Add("example.org", new MtaStsLookup(null, "id1", TlsRptResultTypes.StsPolicyFetchError, "HTTP 500"));

        var policy = await Resolver().ResolveAsync("example.org", false, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.May, policy.Hops[0].Level);
        Assert.Equal(TlsRptResultTypes.StsPolicyFetchError, policy.DiscoveryFailure?.ResultType);
    }

    [Theory]
    [InlineData(TlsLevel.None)]
    [InlineData(TlsLevel.May)]
    [InlineData(TlsLevel.Encrypt)]
    [InlineData(TlsLevel.Verify)]
    public async Task An_explicit_level_wins_over_dane_and_mta_sts(TlsLevel level)
    {
        _dns.AddTlsa("_25._tcp.mx.example.org", Usable).SetSigned("example.org");
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "other.example.org");

        var policy = await Resolver(Override("example.org", level)).ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(level, Assert.Single(policy.Hops).Level);
        Assert.Equal(0, _sts.Lookups);
        Assert.Equal(0, _dns.QueryCount("_25._tcp.mx.example.org"));
    }

    [Fact]
    public async Task Verify_uses_the_match_names_and_pinned_anchors_of_the_entry()
    {
        var table = new TlsPolicyTable([new(".internal.test", new TlsPolicyEntry(TlsLevel.Verify, ["relay.internal.test"]))]);

        var policy = await Resolver(table).ResolveAsync("hr.internal.test", false, ["10-0-0-5.internal.test"], CancellationToken.None);

        Assert.Equal(["relay.internal.test"], policy.Hops[0].VerifyNames);
        Assert.Equal("policy (verify)", policy.Hops[0].RequiredBy);
    }

    [Fact]
    public async Task Override_dane_without_tlsa_falls_back_to_may_without_mta_sts()
    {
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "mx.example.org");

        var policy = await Resolver(Override("example.org", TlsLevel.Dane)).ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.May, policy.Hops[0].Level);
        Assert.Equal(0, _sts.Lookups);
    }

    [Fact]
    public async Task Override_dane_only_without_tlsa_defers()
    {
        _dns.SetSigned("example.org");

        var policy = await Resolver(Override("example.org", TlsLevel.DaneOnly)).ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsRptResultTypes.DaneRequired, policy.DeferResultType);
        Assert.Contains("authenticated denial", policy.DeferReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Override_dane_only_with_tlsa_is_dane()
    {
        _dns.AddTlsa("_25._tcp.mx.example.org", Usable).SetSigned("example.org");

        var policy = await Resolver(Override("example.org", TlsLevel.DaneOnly)).ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.DaneOnly, policy.Hops[0].Level);
        Assert.Null(policy.DeferReason);
    }

    [Fact]
    public async Task Override_mta_sts_skips_dane()
    {
        _dns.AddTlsa("_25._tcp.mx.example.org", Usable).SetSigned("example.org");
        _sts.AddPolicy("example.org", MtaStsMode.Enforce, "mx.example.org");

        var policy = await Resolver(Override("example.org", TlsLevel.MtaSts)).ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsLevel.MtaSts, policy.Hops[0].Level);
        Assert.Equal(0, _dns.QueryCount("_25._tcp.mx.example.org"));
    }

    [Theory]
    [InlineData(TlsLevel.None)]
    [InlineData(TlsLevel.Encrypt)]
    [InlineData(TlsLevel.Verify)]
    public async Task The_configured_default_level_applies_where_neither_dane_nor_mta_sts_does(TlsLevel level)
    {
        var table = new TlsPolicyTable([], new TlsPolicyEntry(level));

        var policy = await Resolver(table).ResolveAsync("example.org", false, ["mx1.example.org", "mx2.example.org"], CancellationToken.None);

        Assert.Null(policy.DeferReason);
        Assert.All(policy.Hops, h => Assert.Equal(level, h.Level));
        Assert.Equal(1, _sts.Lookups);
    }

    [Fact]
    public async Task A_default_above_may_still_lets_dane_and_mta_sts_decide_where_they_are_published()
    {
        // DANE for mx1 (a signed TLSA record); mx2 of the same DANE destination publishes none, so the default
        // level is its floor; MTA-STS decides for another destination.
        _dns.AddTlsa("_25._tcp.mx1.example.org", Usable).SetSigned("example.org");
        _sts.AddPolicy("sts.example", MtaStsMode.Enforce, "mx.sts.example");
        var table = new TlsPolicyTable([], new TlsPolicyEntry(TlsLevel.Encrypt));

        var dane = await Resolver(table).ResolveAsync("example.org", true, ["mx1.example.org", "mx2.example.org"], CancellationToken.None);
        var sts = await Resolver(table).ResolveAsync("sts.example", false, ["mx.sts.example"], CancellationToken.None);

        Assert.Equal(TlsLevel.Dane, dane.For("mx1.example.org")!.Level);
        Assert.Equal(TlsLevel.Encrypt, dane.For("mx2.example.org")!.Level);
        Assert.Equal(TlsLevel.MtaSts, Assert.Single(sts.Hops).Level);
    }

    [Fact]
    public async Task A_default_of_dane_only_is_read_as_the_entry_of_every_domain()
    {
        var table = new TlsPolicyTable([], new TlsPolicyEntry(TlsLevel.DaneOnly));

        var policy = await Resolver(table).ResolveAsync("example.org", false, ["mx.example.org"], CancellationToken.None);

        Assert.Equal(TlsRptResultTypes.DaneRequired, policy.DeferResultType);
        Assert.Contains("MX records not DNSSEC-signed", policy.DeferReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pool_key_differs_between_requirements_and_is_stable_for_equal_ones()
    {
        _dns.AddTlsa("_25._tcp.mx.example.org", Usable).SetSigned("example.org");
        var dane = (await Resolver().ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None)).Hops[0];
        var again = (await Resolver().ResolveAsync("example.org", true, ["mx.example.org"], CancellationToken.None)).Hops[0];
        var may = (await Resolver().ResolveAsync("example.org", false, ["mx.example.org"], CancellationToken.None)).Hops[0];
        var verify = (await Resolver(Override("example.org", TlsLevel.Verify)).ResolveAsync("example.org", false, ["mx.example.org"], CancellationToken.None)).Hops[0];

        Assert.Equal(dane.PoolKey, again.PoolKey);
        Assert.Equal(3, new[] { dane.PoolKey, may.PoolKey, verify.PoolKey }.Distinct().Count());
        Assert.NotEqual(dane.PoolKey, (dane with { Tlsa = [PkixOnly] }).PoolKey);
    }
}
