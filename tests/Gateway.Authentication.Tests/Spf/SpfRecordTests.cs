using System.Net;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Spf;

public sealed class SpfRecordTests
{
    [Fact]
    public void A_full_record_parses_into_directives_and_modifiers()
    {
        const string text = "v=spf1 +a -mx:mail.example.com/24//64 ~ptr:example.org ?ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.bl.example.net include:_spf.example.com redirect=_spf.example.org exp=exp.%{d} future=x all";

        Assert.True(SpfRecord.TryParse(text, out var record, out var error), error);

        var d = record!.Directives;
        Assert.Equal(
            [SpfMechanismKind.A, SpfMechanismKind.Mx, SpfMechanismKind.Ptr, SpfMechanismKind.Ip4, SpfMechanismKind.Ip6, SpfMechanismKind.Exists, SpfMechanismKind.Include, SpfMechanismKind.All],
            d.Select(x => x.Kind));
        Assert.Equal([SpfResult.Pass, SpfResult.Fail, SpfResult.SoftFail, SpfResult.Neutral, SpfResult.Pass], d.Take(5).Select(x => x.Qualifier));
        Assert.Null(d[0].DomainSpec);
        Assert.Equal("mail.example.com", d[1].DomainSpec!.Text);
        Assert.Equal((24, 64), (d[1].Cidr4, d[1].Cidr6));
        Assert.Equal(IPAddress.Parse("192.0.2.0"), d[3].Network);
        Assert.Equal(24, d[3].Cidr4);
        Assert.Equal(IPAddress.Parse("2001:db8::"), d[4].Network);
        Assert.Equal(32, d[4].Cidr6);
        Assert.Equal("_spf.example.org", record.Redirect!.Text);
        Assert.Equal("exp.%{d}", record.Explanation!.Text);
        Assert.Equal("-mx:mail.example.com/24//64", d[1].Text);
    }

    [Theory]
    [InlineData("v=spf1")]
    [InlineData("V=SPF1 -ALL")]
    [InlineData("v=spf1   a   -all   ")]
    [InlineData("v=spf1 a:foo:bar/baz.example.com")]
    [InlineData("v=spf1 a:foo.example.xn--zckzah")]
    [InlineData("v=spf1 a:foo.123-456")]
    [InlineData("v=spf1 a:%{d}")]
    [InlineData("v=spf1 a:museum.example.")]
    [InlineData("v=spf1 mx//0 a/0")]
    [InlineData("v=spf1 ip4:0.0.0.0/0 ip6:::/0")]
    [InlineData("v=spf1 ip6:::ffff:192.0.2.1")]
    [InlineData("v=spf1 moo.cow-far_out=man:dog/cat")]
    [InlineData("v=spf1 default=+")]
    [InlineData("v=spf1 note=%{c}%{r}%{t}")]
    public void Valid_records_parse(string text)
    {
        Assert.True(SpfRecord.TryParse(text, out var record, out var error), error);
        Assert.NotNull(record);
    }

    [Theory]
    [InlineData("v=spf10")]
    [InlineData("v=spf1-all")]
    [InlineData("spf1 -all")]
    [InlineData("v=spf1 -all moo")]
    [InlineData("v=spf1 -all.")]
    [InlineData("v=spf1 all:x")]
    [InlineData("v=spf1 all/8")]
    [InlineData("v=spf1 +-all")]
    [InlineData("v=spf1 include")]
    [InlineData("v=spf1 include:")]
    [InlineData("v=spf1 include:example.com/24")]
    [InlineData("v=spf1 exists")]
    [InlineData("v=spf1 exists:a.example.com//64")]
    [InlineData("v=spf1 ptr/0")]
    [InlineData("v=spf1 ptr:")]
    [InlineData("v=spf1 a:")]
    [InlineData("v=spf1 a/33")]
    [InlineData("v=spf1 a//129")]
    [InlineData("v=spf1 a/24/64")]
    [InlineData("v=spf1 a/024")]
    [InlineData("v=spf1 a:foo-bar")]
    [InlineData("v=spf1 a:museum")]
    [InlineData("v=spf1 a:abc.123")]
    [InlineData("v=spf1 a:example.-com")]
    [InlineData("v=spf1 a:example.com-")]
    [InlineData("v=spf1 a:example.com:8080")]
    [InlineData("v=spf1 a:example..")]
    [InlineData("v=spf1 ip4")]
    [InlineData("v=spf1 ip4:")]
    [InlineData("v=spf1 ip4:1.2.3")]
    [InlineData("v=spf1 ip4:1.2.3.4.5")]
    [InlineData("v=spf1 ip4:01.2.3.4")]
    [InlineData("v=spf1 ip4:256.2.3.4")]
    [InlineData("v=spf1 ip4:1.2.3.4:25")]
    [InlineData("v=spf1 ip4:1.2.3.4/33")]
    [InlineData("v=spf1 ip4:1.2.3.4/032")]
    [InlineData("v=spf1 ip4:1.2.3.4//32")]
    [InlineData("v=spf1 ip4:1.2.3.4/")]
    [InlineData("v=spf1 ip4:1.2.3.4/-1")]
    [InlineData("v=spf1 ip4:2001:db8::1")]
    [InlineData("v=spf1 ip6:192.0.2.1")]
    [InlineData("v=spf1 ip6::CAFE::BABE")]
    [InlineData("v=spf1 ip6:::1/129")]
    [InlineData("v=spf1 ip6:::1//64")]
    [InlineData("v=spf1 ip6:[::1]")]
    [InlineData("v=spf1 ip6:fe80::1%eth0")]
    [InlineData("v=spf1 redirect:example.com")]
    [InlineData("v=spf1 redirect=")]
    [InlineData("v=spf1 redirect=-all")]
    [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com")]
    [InlineData("v=spf1 exp=")]
    [InlineData("v=spf1 exp=a.example.com exp=b.example.com")]
    [InlineData("v=spf1 exp=%{r}.example.com")]
    [InlineData("v=spf1 1up=foo")]
    [InlineData("v=spf1 =all")]
    [InlineData("v=spf1 foo=%abc")]
    [InlineData("v=spf1 a:%{x}.example.com")]
    [InlineData("v=spf1 a:ctrl.example.com\rptr -all")]
    [InlineData("v=spf1 ip4:192.0.2.5\n include:x.example.com")]
    [InlineData("v=spf1 a:\u00efgarbage.example.net -all")]
    [InlineData("v=spf1 \u0096all")]
    [InlineData("v=spf1 a:foo.example.com\0")]
    [InlineData("v=spf1\ta")]
    public void Malformed_records_are_refused_with_a_reason(string text)
    {
        Assert.False(SpfRecord.TryParse(text, out var record, out var error));
        Assert.Null(record);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Every_prefix_of_a_record_parses_or_fails_without_throwing()
    {
        const string text = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:mail.%{d2}/24//64 mx:example.com ptr:%{d} exists:%{ir}.%{v}.x.example include:_s.example.com ~all redirect=r.example exp=e.%{d} foo=bar";
        for (var i = 0; i <= text.Length; i++)
        {
            AssertConsistent(text[..i]);
        }

        // And with every single character replaced by each of a few hostile ones.
        foreach (var hostile in new[] { '%', '/', ':', '=', '{', '}', '.', ' ', '\0', '9' })
        {
            for (var i = 0; i < text.Length; i++)
            {
                var mutated = string.Concat(text.AsSpan(0, i), [hostile], text.AsSpan(i + 1));
                AssertConsistent(mutated);
            }
        }
    }

    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("v=spf1 -all", true)]
    [InlineData("V=Spf1 a", true)]
    [InlineData("v=spf10", false)]
    [InlineData("v=spf1\t-all", false)]
    [InlineData("v=spf", false)]
    [InlineData(" v=spf1", false)]
    [InlineData("", false)]
    public void Record_selection_wants_v_spf1_then_space_or_end(string text, bool expected)
    {
        Assert.Equal(expected, SpfRecord.IsSpf1(text));
    }

    private static void AssertConsistent(string text)
    {
        var parsed = SpfRecord.TryParse(text, out var record, out var error);

        Assert.Equal(parsed, record is not null);
        Assert.Equal(parsed, error is null);
    }
}
