using System.Net;

namespace Gateway.Policy.Tests;

/// <summary>spam.dnsbl, domain_lists, uri_lists, client_checks, reject_score and lookup_timeout.</summary>
public sealed class SpamListsPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domain (line 5); "spam:" is line 6, its body from line 7.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test]\nspam:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Without_list_settings_nothing_is_looked_up()
    {
        var spam = _files.Valid(Base + "  action: tag\n").Spam;

        Assert.Empty(spam.AddressLists);
        Assert.Empty(spam.DomainLists);
        Assert.Empty(spam.UriLists);
        Assert.False(spam.ChecksClients);
        Assert.Equal(0, spam.RejectScore);
        Assert.Equal(TimeSpan.FromSeconds(2), spam.LookupTimeout);
    }

    [Fact]
    public void Every_list_setting_is_read_with_names_derived_from_the_zones()
    {
        var spam = _files.Valid(Base +
            "  dnsbl:\n" +
            "    - zone: zen.example.test\n      weight: 3.0\n      codes: [127.0.0.2, 127.0.0.3]\n" +
            "    - zone: list.dnswl.example.test\n      weight: -2\n" +
            "    - {zone: zen.example.test, weight: 1, codes: [127.0.0.10], name: ZEN_PBL}\n" +
            "  domain_lists:\n" +
            "    - {zone: dbl.example.test, weight: 2.5, check: [sender]}\n" +
            "    - {zone: rhs.example.test, weight: 1}\n" +
            "  uri_lists:\n" +
            "    - {zone: multi.uribl.example.test, weight: 3.0, mask: 0x06}\n" +
            "  client_checks: {no_fcrdns: 1.0, helo_invalid: 1.5, helo_is_ours: 3.0, helo_literal_mismatch: 1.0}\n" +
            "  reject_score: 6\n" +
            "  lookup_timeout: 500ms\n").Spam;

        Assert.Equal(["DNSBL_zen.example.test", "DNSWL_list.dnswl.example.test", "ZEN_PBL"], spam.AddressLists.Select(l => l.Name));
        Assert.Equal([IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")], spam.AddressLists[0].Codes);
        Assert.Equal(3.0, spam.AddressLists[0].Weight);
        Assert.Equal(-2, spam.AddressLists[1].Weight);
        Assert.Empty(spam.AddressLists[1].Codes);
        Assert.Equal(DomainListSubjects.Sender, spam.DomainLists[0].Check);
        Assert.Equal("RHSBL_dbl.example.test", spam.DomainLists[0].Name);
        Assert.Equal(DomainListSubjects.Sender | DomainListSubjects.Helo, spam.DomainLists[1].Check);
        var uri = Assert.Single(spam.UriLists);
        Assert.Equal(("URIBL_multi.uribl.example.test", (byte)6), (uri.Name, uri.Mask));
        Assert.Equal(new ClientCheckScores { NoFcrdns = 1, HeloInvalid = 1.5, HeloIsOurs = 3, HeloLiteralMismatch = 1 }, spam.ClientChecks);
        Assert.Equal(6, spam.RejectScore);
        Assert.Equal(TimeSpan.FromMilliseconds(500), spam.LookupTimeout);
        Assert.True(spam.ChecksClients);
    }

    [Fact]
    public void A_code_outside_127_8_is_refused_at_the_code() =>
        _files.AssertError(Base + "  dnsbl:\n    - zone: zen.example.test\n      weight: 3\n      codes: [192.0.2.1]\n", 10, 15, "spam.dnsbl[0].codes[0]: 192.0.2.1 is outside 127.0.0.0/8");

    [Fact]
    public void A_zone_listed_twice_without_names_asks_for_one() =>
        _files.AssertError(Base + "  dnsbl:\n    - {zone: zen.example.test, weight: 3}\n    - {zone: zen.example.test, weight: 1}\n", 9, 7, "give one of them a name:");

    [Fact]
    public void A_weight_of_zero_is_refused() =>
        _files.AssertError(Base + "  uri_lists:\n    - {zone: u.example.test, weight: 0}\n", 8, 38, "spam.uri_lists[0].weight: 0 would make the list count for nothing");

    [Fact]
    public void A_list_without_a_zone_is_refused() =>
        _files.AssertError(Base + "  dnsbl:\n    - {weight: 3}\n", 8, 7, "spam.dnsbl[0].zone is required");

    [Fact]
    public void A_mask_out_of_range_is_refused() =>
        _files.AssertError(Base + "  uri_lists:\n    - {zone: u.example.test, weight: 1, mask: 0x100}\n", 8, 47, "spam.uri_lists[0].mask");

    [Fact]
    public void Check_is_only_for_domain_lists() =>
        _files.AssertError(Base + "  dnsbl:\n    - {zone: zen.example.test, weight: 3, check: [helo]}\n", 8, 43, "unknown key 'check' in spam.dnsbl[0]");

    [Fact]
    public void An_unknown_domain_list_subject_names_the_choices() =>
        _files.AssertError(Base + "  domain_lists:\n    - {zone: d.example.test, weight: 3, check: [from]}\n", 8, 49, "spam.domain_lists[0].check[0]: 'from' is not one of sender, helo");

    [Fact]
    public void An_unknown_client_check_is_a_typo() =>
        _files.AssertError(Base + "  client_checks: {no_rdns: 1}\n", 7, 19, "unknown key 'no_rdns' in spam.client_checks");

    [Fact]
    public void The_pipelining_check_alone_makes_clients_checked()
    {
        var spam = _files.Valid(Base + "  client_checks: {pipelining: 2.5}\n").Spam;

        Assert.Equal(new ClientCheckScores { Pipelining = 2.5 }, spam.ClientChecks);
        Assert.True(spam.ChecksClients);
    }

    [Fact]
    public void A_pipelining_score_that_is_not_a_number_is_refused_at_the_value() =>
        _files.AssertError(Base + "  client_checks: {pipelining: yes}\n", 7, 31, "spam.client_checks.pipelining");

    [Fact]
    public void A_lookup_timeout_beyond_30_seconds_is_refused() =>
        _files.AssertError(Base + "  lookup_timeout: 1m\n", 7, 19, "spam.lookup_timeout");
}
