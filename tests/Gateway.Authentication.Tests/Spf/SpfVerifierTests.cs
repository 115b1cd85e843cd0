using System.Net;
using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Spf;

public sealed class SpfVerifierTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Client6 = IPAddress.Parse("2001:db8::cb01");

    private static Task<SpfCheck> MailFrom(InMemoryDnsResolver dns, string mailFrom, IPAddress? client = null, SpfOptions? options = null, TimeProvider? time = null) =>
        new SpfVerifier(dns, options, time).VerifyMailFromAsync(client ?? Client, "mail.example.org", mailFrom, CancellationToken.None).AsTask();

    [Fact]
    public async Task Pass_reports_domain_identity_and_the_deciding_mechanism()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.0/24 -all");

        var check = await MailFrom(dns, "alice@example.com");

        Assert.Equal(SpfResult.Pass, check.Result);
        Assert.Equal("example.com", check.Domain);
        Assert.Equal(SpfCheck.MailFromIdentity, check.Identity);
        Assert.Equal("alice@example.com", check.Sender);
        Assert.Equal("ip4:192.0.2.0/24", check.Mechanism);
        Assert.Null(check.Explanation);
        Assert.Null(check.Problem);
        Assert.Equal(0, check.DnsLookups);
    }

    [Fact]
    public async Task Null_reverse_path_checks_postmaster_at_the_helo_domain()
    {
        var dns = new InMemoryDnsResolver().AddTxt("mail.example.org", "v=spf1 a -all").AddA("mail.example.org", Client);

        var check = await MailFrom(dns, "");

        Assert.Equal(SpfResult.Pass, check.Result);
        Assert.Equal("mail.example.org", check.Domain);
        Assert.Equal("postmaster@mail.example.org", check.Sender);
        Assert.Equal(SpfCheck.MailFromIdentity, check.Identity);
        Assert.Equal(1, check.DnsLookups);
    }

    [Fact]
    public async Task Helo_identity_is_checked_on_its_own()
    {
        var dns = new InMemoryDnsResolver().AddTxt("mail.example.org", "v=spf1 -a:other.example.org ~all");

        var check = await new SpfVerifier(dns).VerifyHeloAsync(Client, "mail.example.org", CancellationToken.None);

        Assert.Equal(SpfResult.SoftFail, check.Result);
        Assert.Equal(SpfCheck.HeloIdentity, check.Identity);
        Assert.Equal("~all", check.Mechanism);
    }

    [Theory]
    [InlineData("[192.0.2.10]")]
    [InlineData("localhost")]
    [InlineData("192.0.2.10")]
    [InlineData("bad..example.org")]
    [InlineData("ex ample.org")]
    [InlineData("caf\u00e9.example")]
    [InlineData("-mail.example.org")]
    [InlineData("mail-.example.org")]
    [InlineData("xn--zz.example.org")]
    public async Task Helo_that_is_no_domain_gives_none_without_dns(string helo)
    {
        var dns = new InMemoryDnsResolver();

        var check = await new SpfVerifier(dns).VerifyHeloAsync(Client, helo, CancellationToken.None);

        Assert.Equal(SpfResult.None, check.Result);
        Assert.Equal(0, dns.QueryCount(helo));
    }

    [Fact]
    public async Task Sender_without_a_local_part_becomes_postmaster()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 exists:%{l}.users.example.com -all").AddA("postmaster.users.example.com", "127.0.0.2");

        var check = await MailFrom(dns, "@example.com");

        Assert.Equal(SpfResult.Pass, check.Result);
        Assert.Equal("postmaster@example.com", check.Sender);
    }

    [Fact]
    public async Task Ipv6_client_is_matched_by_aaaa_and_the_ipv6_macro_form()
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("email.example.com", "v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all")
            .AddA("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", "127.0.0.2");

        var check = await MailFrom(dns, "strong-bad@email.example.com", Client6);

        Assert.Equal(SpfResult.Pass, check.Result);
    }

    [Fact]
    public async Task Ipv4_mapped_client_is_an_ipv4_client()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 ip4:192.0.2.10 -all");

        var check = await MailFrom(dns, "a@example.com", IPAddress.Parse("::ffff:192.0.2.10"));

        Assert.Equal(SpfResult.Pass, check.Result);
        Assert.Equal(Client, check.Client);
    }

    [Fact]
    public async Task Explanation_expands_exp_only_letters_from_options_and_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var dns = new InMemoryDnsResolver()
            .AddTxt("example.com", "v=spf1 -all exp=why.example.com")
            .AddTxt("why.example.com", "%{c} is not a %{d} server, said %{r} at %{t} to %{l}");

        var check = await MailFrom(dns, "bob@example.com", options: new SpfOptions { ReceivingHost = "gw.example.net" }, time: time);

        Assert.Equal(SpfResult.Fail, check.Result);
        Assert.Equal("192.0.2.10 is not a example.com server, said gw.example.net at 1700000000 to bob", check.Explanation);
    }

    [Fact]
    public async Task Explanation_is_cleaned_and_bounded()
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("example.com", "v=spf1 -all exp=why.example.com")
            .AddTxt("why.example.com", "%{l}%{l}%{l}%{l}");

        var check = await MailFrom(dns, "x\r\ny" + new string('z', 100) + "@example.com", options: new SpfOptions { MaxExplanationLength = 50 });

        Assert.Equal(50, check.Explanation!.Length);
        Assert.StartsWith("x??yzzz", check.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explanation_is_only_for_fail()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 ~all exp=why.example.com").AddTxt("why.example.com", "go away");

        var check = await MailFrom(dns, "bob@example.com");

        Assert.Equal(SpfResult.SoftFail, check.Result);
        Assert.Null(check.Explanation);
        Assert.Equal(0, dns.QueryCount("why.example.com"));
    }

    [Theory]
    [InlineData(DnsStatus.Timeout)]
    [InlineData(DnsStatus.ServerFailure)]
    public async Task Dns_failure_on_the_record_is_temperror(DnsStatus status)
    {
        var dns = new InMemoryDnsResolver().SetStatus("example.com", status);

        var check = await MailFrom(dns, "a@example.com");

        Assert.Equal(SpfResult.TempError, check.Result);
        Assert.Contains("example.com", check.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=spf1 a:broken.example.net -all")]
    [InlineData("v=spf1 mx:broken.example.net -all")]
    [InlineData("v=spf1 exists:broken.example.net -all")]
    [InlineData("v=spf1 include:broken.example.net -all")]
    [InlineData("v=spf1 mx:ok.example.net -all")]
    public async Task Dns_failure_in_a_mechanism_is_temperror(string record)
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("example.com", record)
            .SetStatus("broken.example.net", DnsStatus.ServerFailure)
            .AddMx("ok.example.net", 10, "broken.example.net");

        var check = await MailFrom(dns, "a@example.com");

        Assert.Equal(SpfResult.TempError, check.Result);
    }

    [Fact]
    public async Task Dns_failure_on_ptr_only_makes_ptr_not_match()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 ptr -all").SetStatus(ReverseNames.For(Client), DnsStatus.Timeout);

        var check = await MailFrom(dns, "a@example.com");

        Assert.Equal(SpfResult.Fail, check.Result);
    }

    [Fact]
    public async Task Ptr_matches_only_a_forward_validated_name_under_the_target()
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("example.com", "v=spf1 ptr -all")
            .AddPtr(Client, "liar.example.com")
            .AddPtr(Client, "mx.example.com")
            .AddA("mx.example.com", Client);

        var check = await MailFrom(dns, "a@example.com");

        Assert.Equal(SpfResult.Pass, check.Result);
        Assert.Equal(1, dns.QueryCount("liar.example.com"));
    }

    [Fact]
    public async Task Include_loop_is_permerror_at_the_lookup_limit()
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("a.example.com", "v=spf1 include:b.example.com -all")
            .AddTxt("b.example.com", "v=spf1 include:a.example.com -all");

        var check = await MailFrom(dns, "x@a.example.com");

        Assert.Equal(SpfResult.PermError, check.Result);
        Assert.Equal(11, check.DnsLookups);
        Assert.Contains("4.6.4", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_loop_is_permerror()
    {
        var dns = new InMemoryDnsResolver().AddTxt("loop.example.com", "v=spf1 redirect=%{d}");

        var check = await MailFrom(dns, "x@loop.example.com");

        Assert.Equal(SpfResult.PermError, check.Result);
        Assert.Equal(10, dns.QueryCount("loop.example.com") - 1);
    }

    [Fact]
    public async Task Lookup_and_void_limits_are_configurable()
    {
        var dns = new InMemoryDnsResolver()
            .AddTxt("example.com", "v=spf1 a:none.example.com ip4:192.0.2.10")
            .AddTxt("two.example.com", "v=spf1 a a ip4:192.0.2.10")
            .AddA("two.example.com", "198.51.100.1");

        var strictVoid = await MailFrom(dns, "x@example.com", options: new SpfOptions { MaxVoidLookups = 0 });
        var strictLookups = await MailFrom(dns, "x@two.example.com", options: new SpfOptions { MaxDnsLookups = 1 });
        var defaults = await MailFrom(dns, "x@two.example.com");

        Assert.Equal(SpfResult.PermError, strictVoid.Result);
        Assert.Equal(SpfResult.PermError, strictLookups.Result);
        Assert.Equal(SpfResult.Pass, defaults.Result);
    }

    [Fact]
    public async Task Oversized_record_is_permerror()
    {
        var big = "v=spf1 " + string.Concat(Enumerable.Range(0, 300).Select(i => $"ip4:198.51.{i % 250}.0/24 ")) + "-all";
        var dns = new InMemoryDnsResolver().AddTxt("example.com", big);

        var check = await MailFrom(dns, "a@example.com");

        Assert.True(big.Length > 4096);
        Assert.Equal(SpfResult.PermError, check.Result);
        Assert.Contains("longer", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_spf_records_are_permerror_and_other_txt_is_ignored()
    {
        var several = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 +all").AddTxt("example.com", "v=spf1 -all");
        var other = new InMemoryDnsResolver().AddTxt("example.com", "google-site-verification=x").AddTxt("example.com", "v=spf1 -all").AddTxt("example.com", "\u0096\0");

        Assert.Equal(SpfResult.PermError, (await MailFrom(several, "a@example.com")).Result);
        Assert.Equal(SpfResult.Fail, (await MailFrom(other, "a@example.com")).Result);
    }

    [Fact]
    public async Task More_than_ten_mx_names_is_permerror()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 mx -all");
        for (var i = 0; i < 11; i++)
        {
            dns.AddMx("example.com", i, $"mx{i}.example.com");
        }

        Assert.Equal(SpfResult.PermError, (await MailFrom(dns, "a@example.com")).Result);
    }

    [Fact]
    public async Task Overall_time_limit_gives_temperror()
    {
        var time = new FakeTimeProvider();
        var dns = new StallingResolver(new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 a:slow.example.com -all"), "slow.example.com", time);
        var verifier = new SpfVerifier(dns, new SpfOptions { Timeout = TimeSpan.FromSeconds(20) }, time);

        var pending = verifier.VerifyMailFromAsync(Client, "mail.example.org", "a@example.com", CancellationToken.None).AsTask();
        await dns.Stalled.Task;
        time.Advance(TimeSpan.FromSeconds(21));
        var check = await pending;

        Assert.Equal(SpfResult.TempError, check.Result);
        Assert.Contains("4.6.4", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_cancellation_is_thrown()
    {
        var dns = new InMemoryDnsResolver().AddTxt("example.com", "v=spf1 -all");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await new SpfVerifier(dns).VerifyMailFromAsync(Client, "h.example", "a@example.com", new CancellationToken(true)));
    }

    [Fact]
    public async Task Hostile_records_never_throw_and_never_hit_the_defect_path()
    {
        // Every prefix and mutation of a busy record, evaluated for real: results only, no exception, no defect.
        const string text = "v=spf1 ip4:192.0.2.0/24 a:%{l}.%{d2}/24//64 mx ptr:%{d} exists:%{ir}.%{v}.x.example.com include:inc.example.com redirect=%{o} exp=e.%{d}";
        var candidates = new List<string>();
        for (var i = 0; i <= text.Length; i++)
        {
            candidates.Add(text[..i]);
        }

        foreach (var hostile in new[] { '%', '/', '{', '.', ':', '\0' })
        {
            for (var i = 7; i < text.Length; i += 3)
            {
                candidates.Add(string.Concat(text.AsSpan(0, i), [hostile], text.AsSpan(i + 1)));
            }
        }

        foreach (var candidate in candidates)
        {
            var dns = new InMemoryDnsResolver()
                .AddTxt("example.com", candidate)
                .AddTxt("inc.example.com", candidate)
                .AddA("example.com", "198.51.100.1")
                .AddMx("example.com", 10, "example.com");
            var check = await new SpfVerifier(dns).VerifyMailFromAsync(Client, "h.example.org", "u@example.com", CancellationToken.None);
            Assert.NotEqual("internal error", check.Problem);
        }
    }

    /// <summary>Answers from the zone, except that questions about one name hang until cancelled.</summary>
    private sealed class StallingResolver(InMemoryDnsResolver inner, string stalledName, TimeProvider time) : IDnsResolver
    {
        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct) => Stall(domain, inner.GetMxAsync, ct);

        public ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct) => Stall(host, inner.GetAddressesAsync, ct);

        public ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct) => Stall(name, inner.GetTxtAsync, ct);

        public ValueTask<DnsAnswer<IPAddress>> GetAAsync(string host, CancellationToken ct) => Stall(host, inner.GetAAsync, ct);

        public ValueTask<DnsAnswer<IPAddress>> GetAaaaAsync(string host, CancellationToken ct) => Stall(host, inner.GetAaaaAsync, ct);

        public ValueTask<DnsAnswer<string>> GetPtrAsync(IPAddress address, CancellationToken ct) => inner.GetPtrAsync(address, ct);

        public ValueTask<DnsAnswer<TlsaRecord>> GetTlsaAsync(string name, CancellationToken ct) => Stall(name, inner.GetTlsaAsync, ct);

        private async ValueTask<DnsAnswer<T>> Stall<T>(string name, Func<string, CancellationToken, ValueTask<DnsAnswer<T>>> answer, CancellationToken ct)
        {
            if (name == stalledName)
            {
                Stalled.TrySetResult();
                await Task.Delay(TimeSpan.FromHours(1), time, ct);
            }

            return await answer(name, ct);
        }
    }
}
