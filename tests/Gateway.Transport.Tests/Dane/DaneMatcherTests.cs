using Gateway.Abstractions;
using Gateway.Testing;
using Gateway.Transport.Dane;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Transport.Tests.Dane;

public sealed class DaneMatcherTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCertificateChain _chain = TestCertificateChain.Create(Now, ["mx.example.org"]);
    private readonly TestCertificateChain _other = TestCertificateChain.Create(Now, ["mx.example.org"]);
    private readonly DaneMatcher _matcher = new(new FakeTimeProvider(Now));

    public void Dispose()
    {
        _chain.Dispose();
        _other.Dispose();
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 0, 1)]
    [InlineData(3, 1, 2)]
    [InlineData(3, 0, 0)]
    [InlineData(3, 1, 0)]
    [InlineData(3, 0, 2)]
    public void Dane_ee_matches_the_leaf_by_each_selector_and_matching_type(byte usage, byte selector, byte matching)
    {
        var record = Tlsa.For(usage, selector, matching, _chain.Leaf);

        var result = _matcher.Match([record], _chain.Leaf, _chain.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
        Assert.Equal(record, result.MatchedRecord);
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 0, 1)]
    [InlineData(3, 1, 2)]
    [InlineData(3, 0, 0)]
    public void Dane_ee_for_another_key_is_a_mismatch_naming_the_host(byte usage, byte selector, byte matching)
    {
        var result = _matcher.Match([Tlsa.For(usage, selector, matching, _other.Leaf)], _chain.Leaf, _chain.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
        Assert.Equal("no TLSA record matches the certificate of mx.example.org", result.Reason);
        Assert.Equal(TlsRptResultTypes.TlsaInvalid, result.ResultType);
    }

    [Fact]
    public void Dane_ee_ignores_expiry_and_names()
    {
        // RFC 7672 3.1.1: with DANE-EE the record vouches for the key; neither validity nor names are checked.
        using var expired = TestCertificateChain.Create(Now, ["elsewhere.test"], Now.AddYears(-2), Now.AddYears(-1));

        var result = _matcher.Match([Tlsa.For(3, 1, 1, expired.Leaf)], expired.Leaf, [], ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
    }

    [Theory]
    [InlineData(2, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(2, 0, 2)]
    [InlineData(2, 1, 2)]
    [InlineData(2, 0, 0)]
    public void Dane_ta_matches_the_root_of_the_presented_chain(byte usage, byte selector, byte matching)
    {
        var result = _matcher.Match([Tlsa.For(usage, selector, matching, _chain.Root)], _chain.Leaf, _chain.Presented, ["mx.example.org", "example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
    }

    [Fact]
    public void Dane_ta_may_pin_the_intermediate_when_the_root_is_not_presented()
    {
        var result = _matcher.Match([Tlsa.For(2, 1, 1, _chain.Intermediate)], _chain.Leaf, [_chain.Intermediate], ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
    }

    [Fact]
    public void Dane_ta_accepts_the_next_hop_domain_as_reference_name()
    {
        using var chain = TestCertificateChain.Create(Now, ["example.org"]);

        var result = _matcher.Match([Tlsa.For(2, 0, 1, chain.Root)], chain.Leaf, chain.Presented, ["mx.example.org", "example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
    }

    [Fact]
    public void Dane_ta_with_a_wrong_name_is_refused_as_a_host_mismatch()
    {
        using var chain = TestCertificateChain.Create(Now, ["mail.other.test"]);

        var result = _matcher.Match([Tlsa.For(2, 0, 1, chain.Root)], chain.Leaf, chain.Presented, ["mx.example.org", "example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
        Assert.Equal(TlsRptResultTypes.CertificateHostMismatch, result.ResultType);
        Assert.Contains("mx.example.org", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.example.org", "mx.example.org", true)]
    [InlineData("*.example.org", "a.mx.example.org", false)]
    [InlineData("*.example.org", "example.org", false)]
    [InlineData("mx.example.org", "MX.EXAMPLE.ORG", true)]
    public void Dane_ta_names_follow_the_leftmost_wildcard_rule(string san, string reference, bool matches)
    {
        using var chain = TestCertificateChain.Create(Now, [san]);

        var result = _matcher.Match([Tlsa.For(2, 0, 1, chain.Root)], chain.Leaf, chain.Presented, [reference]);

        Assert.Equal(matches ? DaneOutcome.Match : DaneOutcome.Mismatch, result.Outcome);
    }

    [Fact]
    public void Dane_ta_checks_the_common_name_only_without_dns_names()
    {
        using var chain = TestCertificateChain.Create(Now, []);

        Assert.Equal(DaneOutcome.Match, _matcher.Match([Tlsa.For(2, 0, 1, chain.Root)], chain.Leaf, chain.Presented, ["cn-only.test"]).Outcome);
        Assert.Equal(DaneOutcome.Mismatch, _matcher.Match([Tlsa.For(2, 0, 1, chain.Root)], chain.Leaf, chain.Presented, ["mx.example.org"]).Outcome);
    }

    [Fact]
    public void Dane_ta_refuses_an_expired_leaf()
    {
        using var expired = TestCertificateChain.Create(Now, ["mx.example.org"], Now.AddDays(-30), Now.AddDays(-1));

        var result = _matcher.Match([Tlsa.For(2, 0, 1, expired.Root)], expired.Leaf, expired.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
        Assert.Equal(TlsRptResultTypes.CertificateExpired, result.ResultType);
    }

    [Fact]
    public void Dane_ta_refuses_a_leaf_issued_by_another_ca_even_if_the_anchor_is_presented()
    {
        // The server presents the pinned root, but its leaf was issued under a different CA.
        var result = _matcher.Match([Tlsa.For(2, 0, 1, _chain.Root)], _other.Leaf, [_other.Intermediate, _chain.Root], ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
        Assert.Equal(TlsRptResultTypes.CertificateNotTrusted, result.ResultType);
    }

    [Fact]
    public void Dane_ta_for_an_anchor_not_in_the_chain_is_a_mismatch()
    {
        var result = _matcher.Match([Tlsa.For(2, 0, 1, _other.Root)], _chain.Leaf, _chain.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
    }

    public static TheoryData<TlsaRecord> UnusableRecords => new()
    {
        new TlsaRecord(0, 0, 1, new byte[32]), // PKIX-TA: unusable for SMTP (RFC 7672 3.1.3)
        new TlsaRecord(1, 1, 1, new byte[32]), // PKIX-EE
        new TlsaRecord(4, 1, 1, new byte[32]), // unknown usage
        new TlsaRecord(3, 2, 1, new byte[32]), // unknown selector
        new TlsaRecord(3, 1, 3, new byte[32]), // unknown matching type
        new TlsaRecord(3, 1, 1, new byte[31]), // SHA-256 of the wrong length
        new TlsaRecord(3, 1, 2, new byte[32]), // SHA-512 of the wrong length
        new TlsaRecord(3, 1, 0, new byte[] { 1, 2, 3 }), // exact data that is no DER structure
    };

    [Theory]
    [MemberData(nameof(UnusableRecords))]
    public void Unusable_records_alone_are_all_unusable(TlsaRecord record)
    {
        Assert.False(TlsaUsability.IsUsable(record));
        var result = _matcher.Match([record], _chain.Leaf, _chain.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.AllUnusable, result.Outcome);
    }

    [Fact]
    public void A_pkix_record_matching_the_leaf_does_not_count()
    {
        var pkix = Tlsa.For(1, 1, 1, _chain.Leaf);
        var wrong = Tlsa.For(3, 1, 1, _other.Leaf);

        var result = _matcher.Match([pkix, wrong], _chain.Leaf, _chain.Presented, ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Mismatch, result.Outcome);
    }

    [Fact]
    public void One_matching_record_among_others_is_enough()
    {
        var result = _matcher.Match(
            [Tlsa.For(3, 1, 1, _other.Leaf), new TlsaRecord(0, 0, 1, new byte[32]), Tlsa.For(3, 1, 1, _chain.Leaf)],
            _chain.Leaf,
            _chain.Presented,
            ["mx.example.org"]);

        Assert.Equal(DaneOutcome.Match, result.Outcome);
    }
}
