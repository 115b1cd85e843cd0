using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Spf;
using Gateway.Dns;

namespace Gateway.Authentication.Tests.Dmarc;

public sealed class DmarcEvaluatorTests
{
    private static readonly PublicSuffixList Psl = PublicSuffixList.LoadEmbedded();

    private readonly InMemoryDnsResolver _dns = new();

    private DmarcEvaluator Evaluator(Random? random = null) => new(_dns, Psl, random);

    private static DmarcInput Input(string from, SpfResult spf = SpfResult.None, string? spfDomain = null, params DmarcDkimInput[] dkim) =>
        new() { Author = DmarcAuthor.ForDomain(from), Spf = spf, SpfDomain = spfDomain, Dkim = dkim };

    [Fact]
    public async Task Aligned_dkim_passes_with_relaxed_alignment()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(
            Input("example.com", SpfResult.Fail, "bounces.other.example", new DmarcDkimInput(DkimResult.Pass, "Mail.Example.com", "s1")),
            CancellationToken.None);

        Assert.Equal(DmarcResult.Pass, result.Result);
        Assert.Equal("mail.example.com", result.DkimAlignedDomain);
        Assert.False(result.SpfAligned);
        Assert.Equal(DmarcPolicy.Reject, result.Policy);
        Assert.Equal(DmarcPolicy.None, result.Disposition);
        Assert.Equal("example.com", result.PolicyDomain);
        Assert.Equal("example.com", result.OrganizationalDomain);
        Assert.Equal("example.com", result.HeaderFrom);
        Assert.NotNull(result.Record);
    }

    [Fact]
    public async Task Strict_dkim_alignment_needs_the_exact_domain()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=quarantine; adkim=s");
        var sub = await Evaluator().EvaluateAsync(Input("example.com", dkim: new DmarcDkimInput(DkimResult.Pass, "mail.example.com")), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, sub.Result);
        Assert.Equal(DmarcPolicy.Quarantine, sub.Disposition);

        var exact = await Evaluator().EvaluateAsync(Input("example.com", dkim: new DmarcDkimInput(DkimResult.Pass, "EXAMPLE.com.")), CancellationToken.None);
        Assert.Equal(DmarcResult.Pass, exact.Result);
    }

    [Fact]
    public async Task Aligned_spf_passes_and_strict_spf_needs_the_exact_domain()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject; aspf=s");
        _dns.AddTxt("_dmarc.example.org", "v=DMARC1; p=reject");
        var strictFail = await Evaluator().EvaluateAsync(Input("example.com", SpfResult.Pass, "bounce.example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, strictFail.Result);
        var strictPass = await Evaluator().EvaluateAsync(Input("example.com", SpfResult.Pass, "example.com"), CancellationToken.None);
        Assert.True(strictPass.SpfAligned);
        Assert.Equal(DmarcResult.Pass, strictPass.Result);
        var relaxed = await Evaluator().EvaluateAsync(Input("example.org", SpfResult.Pass, "bounce.example.org"), CancellationToken.None);
        Assert.Equal(DmarcResult.Pass, relaxed.Result);
    }

    [Fact]
    public async Task Helo_spf_never_aligns()
    {
        // RFC 7489 4.1: only RFC5321.MailFrom counts.
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var input = Input("example.com", SpfResult.Pass, "example.com") with { SpfScope = DmarcSpfScope.Helo };
        var result = await Evaluator().EvaluateAsync(input, CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
        Assert.False(result.SpfAligned);
        Assert.Equal(DmarcPolicy.Reject, result.Disposition);
    }

    [Theory]
    [InlineData(DkimResult.Fail)]
    [InlineData(DkimResult.Policy)]
    [InlineData(DkimResult.Neutral)]
    [InlineData(DkimResult.TempError)]
    [InlineData(DkimResult.PermError)]
    [InlineData(DkimResult.None)]
    public async Task Only_passing_dkim_signatures_align(DkimResult dkim)
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(Input("example.com", SpfResult.SoftFail, "example.com", new DmarcDkimInput(dkim, "example.com")), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
        Assert.Null(result.DkimAlignedDomain);
    }

    [Fact]
    public async Task Unrelated_passing_signatures_and_public_suffix_siblings_do_not_align()
    {
        _dns.AddTxt("_dmarc.alice.blogspot.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(
            Input("alice.blogspot.com", SpfResult.Pass, "mallory.blogspot.com",
                new DmarcDkimInput(DkimResult.Pass, "mallory.blogspot.com"), new DmarcDkimInput(DkimResult.Pass, "blogspot.com")),
            CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
    }

    [Fact]
    public async Task No_record_is_none()
    {
        var result = await Evaluator().EvaluateAsync(Input("example.com", SpfResult.Pass, "example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.None, result.Result);
        Assert.Null(result.Record);
        Assert.Null(result.Policy);
        Assert.Equal(DmarcPolicy.None, result.Disposition);
    }

    [Fact]
    public async Task Subdomain_without_record_uses_the_organizational_domain_sp()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine");
        _dns.AddA("mail.example.com", "192.0.2.1");
        var result = await Evaluator().EvaluateAsync(Input("mail.example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
        Assert.Equal("example.com", result.PolicyDomain);
        Assert.Equal(DmarcPolicy.Quarantine, result.Policy);
        Assert.Equal(DmarcPolicySource.Subdomain, result.PolicySource);
        Assert.Equal(1, _dns.QueryCount("_dmarc.mail.example.com"));
    }

    [Fact]
    public async Task Subdomain_without_sp_uses_p()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(Input("a.b.example.com"), CancellationToken.None);
        Assert.Equal(DmarcPolicy.Reject, result.Disposition);
        Assert.Equal(DmarcPolicySource.Subdomain, result.PolicySource);
    }

    [Fact]
    public async Task Subdomain_with_its_own_record_uses_its_p()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject; sp=reject");
        _dns.AddTxt("_dmarc.news.example.com", "v=DMARC1; p=none");
        var result = await Evaluator().EvaluateAsync(Input("news.example.com"), CancellationToken.None);
        Assert.Equal("news.example.com", result.PolicyDomain);
        Assert.Equal(DmarcPolicy.None, result.Disposition);
        Assert.Equal(DmarcPolicySource.Domain, result.PolicySource);
        Assert.Equal(0, _dns.QueryCount("_dmarc.example.com"));
    }

    [Fact]
    public async Task Non_existent_subdomain_uses_np()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
        _dns.AddA("real.example.com", "192.0.2.1");
        var ghost = await Evaluator().EvaluateAsync(Input("ghost.example.com"), CancellationToken.None);
        Assert.Equal(DmarcPolicy.Reject, ghost.Disposition);
        Assert.Equal(DmarcPolicySource.NonExistentSubdomain, ghost.PolicySource);

        var real = await Evaluator().EvaluateAsync(Input("real.example.com"), CancellationToken.None);
        Assert.Equal(DmarcPolicy.Quarantine, real.Disposition);
        Assert.Equal(DmarcPolicySource.Subdomain, real.PolicySource);
    }

    [Fact]
    public async Task Existence_is_not_looked_up_when_np_cannot_matter()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        await Evaluator().EvaluateAsync(Input("ghost.example.com"), CancellationToken.None);
        _dns.AddTxt("_dmarc.example.org", "v=DMARC1; p=reject; np=none");
        await Evaluator().EvaluateAsync(Input("ghost.example.org", dkim: new DmarcDkimInput(DkimResult.Pass, "example.org")), CancellationToken.None);
        Assert.Equal(0, _dns.QueryCount("ghost.example.com"));
        Assert.Equal(0, _dns.QueryCount("ghost.example.org"));
    }

    [Fact]
    public async Task Several_dmarc_records_mean_no_policy_but_other_txt_records_are_ignored()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject").AddTxt("_dmarc.example.com", "v=DMARC1; p=none");
        var several = await Evaluator().EvaluateAsync(Input("example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.None, several.Result);
        Assert.Equal(DmarcPolicy.None, several.Disposition);

        _dns.AddTxt("_dmarc.example.net", "some verification token").AddTxt("_dmarc.example.net", "v=DMARC1; p=reject");
        var one = await Evaluator().EvaluateAsync(Input("example.net"), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, one.Result);
    }

    [Fact]
    public async Task Several_records_at_the_author_domain_do_not_fall_back_to_the_organizational_domain()
    {
        // RFC 7489 6.6.3: step 3 runs only when the set is empty.
        _dns.AddTxt("_dmarc.a.example.com", "v=DMARC1; p=none").AddTxt("_dmarc.a.example.com", "v=DMARC1; p=none");
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(Input("a.example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.None, result.Result);
        Assert.Equal(0, _dns.QueryCount("_dmarc.example.com"));
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    public async Task Dns_failures_are_temperror(DnsStatus status)
    {
        _dns.SetStatus("_dmarc.example.com", status);
        var direct = await Evaluator().EvaluateAsync(Input("example.com", dkim: new DmarcDkimInput(DkimResult.Pass, "example.com")), CancellationToken.None);
        Assert.Equal(DmarcResult.TempError, direct.Result);
        Assert.Equal(DmarcPolicy.None, direct.Disposition);

        var viaOrganizational = await Evaluator().EvaluateAsync(Input("sub.example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.TempError, viaOrganizational.Result);
    }

    [Fact]
    public async Task Nxdomain_and_nodata_are_no_record()
    {
        _dns.SetStatus("_dmarc.example.com", DnsStatus.NxDomain);
        _dns.AddA("_dmarc.example.net", "192.0.2.1");
        Assert.Equal(DmarcResult.None, (await Evaluator().EvaluateAsync(Input("example.com"), CancellationToken.None)).Result);
        Assert.Equal(DmarcResult.None, (await Evaluator().EvaluateAsync(Input("example.net"), CancellationToken.None)).Result);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; pct=200")]
    [InlineData("v=DMARC1; p=reject; adkim=relaxed")]
    [InlineData("v=DMARC1")]
    [InlineData("v=DMARC1; p=reject; p=reject")]
    public async Task Broken_records_are_permerror(string text)
    {
        _dns.AddTxt("_dmarc.example.com", text);
        var result = await Evaluator().EvaluateAsync(Input("example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.PermError, result.Result);
        Assert.Equal(DmarcPolicy.None, result.Disposition);
        Assert.Equal("example.com", result.PolicyDomain);
        Assert.StartsWith("invalid record", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_txt_records_do_not_break_evaluation()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject; x=" + new string('x', 70_000));
        var result = await Evaluator().EvaluateAsync(Input("example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.PermError, result.Result);
    }

    [Fact]
    public async Task Author_problems_are_permerror_with_reject_and_no_lookup()
    {
        var result = await Evaluator().EvaluateAsync(
            new DmarcInput { Author = DmarcAuthor.Invalid(DmarcAuthorProblem.MultipleFromFields), Spf = SpfResult.Pass, SpfDomain = "example.com" },
            CancellationToken.None);
        Assert.Equal(DmarcResult.PermError, result.Result);
        Assert.Equal(DmarcPolicy.Reject, result.Disposition);
        Assert.Null(result.HeaderFrom);
        Assert.Contains("multiple From", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Author_domain_that_is_a_public_suffix_still_evaluates()
    {
        _dns.AddTxt("_dmarc.co.uk", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(Input("co.uk"), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
        Assert.Equal("co.uk", result.OrganizationalDomain);
    }

    [Theory]
    [InlineData(0, DmarcPolicy.Reject, DmarcPolicy.Reject, null)]
    [InlineData(49, DmarcPolicy.Reject, DmarcPolicy.Reject, null)]
    [InlineData(50, DmarcPolicy.Reject, DmarcPolicy.Quarantine, DmarcPolicyOverride.SampledOut)]
    [InlineData(99, DmarcPolicy.Quarantine, DmarcPolicy.None, DmarcPolicyOverride.SampledOut)]
    [InlineData(10, DmarcPolicy.Quarantine, DmarcPolicy.Quarantine, null)]
    [InlineData(99, DmarcPolicy.None, DmarcPolicy.None, null)]
    public async Task Pct_sampling_applies_the_next_lower_policy(int draw, DmarcPolicy published, DmarcPolicy disposition, DmarcPolicyOverride? reason)
    {
        var name = published.ToString().ToLowerInvariant();
        _dns.AddTxt("_dmarc.example.com", $"v=DMARC1; p={name}; pct=50");
        var result = await Evaluator(new FixedRandom(draw)).EvaluateAsync(Input("example.com"), CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, result.Result);
        Assert.Equal(published, result.Policy);
        Assert.Equal(disposition, result.Disposition);
        Assert.Equal(reason, result.Override);
    }

    [Fact]
    public async Task Pct_zero_never_applies_reject_and_pct_100_always_does()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject; pct=0");
        _dns.AddTxt("_dmarc.example.net", "v=DMARC1; p=reject; pct=100");
        var zero = await Evaluator(new FixedRandom(0)).EvaluateAsync(Input("example.com"), CancellationToken.None);
        Assert.Equal(DmarcPolicy.Quarantine, zero.Disposition);
        var full = await Evaluator(new FixedRandom(99)).EvaluateAsync(Input("example.net"), CancellationToken.None);
        Assert.Equal(DmarcPolicy.Reject, full.Disposition);
    }

    [Fact]
    public async Task Idn_author_domains_are_looked_up_in_a_label_form()
    {
        _dns.AddTxt("_dmarc.xn--bcher-kva.de", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(
            new DmarcInput { Author = AuthorDomainParser.Parse("From: a@bücher.de\r\n"), Dkim = [new DmarcDkimInput(DkimResult.Pass, "BÜCHER.de")] },
            CancellationToken.None);
        Assert.Equal(DmarcResult.Pass, result.Result);
        Assert.Equal("xn--bcher-kva.de", result.DkimAlignedDomain);
    }

    [Fact]
    public async Task Overrides_can_be_recorded_later()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        var result = await Evaluator().EvaluateAsync(Input("example.com"), CancellationToken.None);
        var overridden = result with { Override = DmarcPolicyOverride.TrustedForwarder, OverrideComment = "arc sealer", Disposition = DmarcPolicy.None };
        Assert.Equal(DmarcPolicy.Reject, overridden.Policy);
        Assert.Equal(DmarcPolicy.None, overridden.Disposition);
        Assert.Equal(DmarcResult.Fail, overridden.Result);
    }

    [Fact]
    public async Task Cancellation_escapes()
    {
        _dns.AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Evaluator().EvaluateAsync(Input("example.com"), cts.Token));
    }

    private sealed class FixedRandom(int value) : Random
    {
        public override int Next(int maxValue) => value;
    }
}
