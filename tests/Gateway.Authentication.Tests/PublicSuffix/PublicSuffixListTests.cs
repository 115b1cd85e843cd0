using Gateway.Authentication.PublicSuffix;

namespace Gateway.Authentication.Tests.PublicSuffix;

public sealed class PublicSuffixListTests
{
    // Loaded once: the list is immutable after loading.
    private static readonly PublicSuffixList Shipped = PublicSuffixList.LoadEmbedded();

    private const string SmallList = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        *.ck
        !www.ck
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        公司.cn
        cn
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        blogspot.com
        // ===END PRIVATE DOMAINS===
        """;

    [Theory]
    [InlineData("com", "com")]
    [InlineData("example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("uk", "uk")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("a.b.example.co.uk", "example.co.uk")]
    [InlineData("ck", "ck")]
    [InlineData("b.ck", "b.ck")]
    [InlineData("a.b.ck", "a.b.ck")]
    [InlineData("x.a.b.ck", "a.b.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("a.www.ck", "www.ck")]
    [InlineData("b.kawasaki.jp", "b.kawasaki.jp")]
    [InlineData("a.b.kawasaki.jp", "a.b.kawasaki.jp")]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("a.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("example.unknowntld", "example.unknowntld")]
    [InlineData("a.b.example.unknowntld", "example.unknowntld")]
    [InlineData("unknowntld", "unknowntld")]
    [InlineData("WWW.Example.COM.", "example.com")]
    [InlineData("foo.blogspot.com", "foo.blogspot.com")]
    [InlineData("a.foo.blogspot.com", "foo.blogspot.com")]
    [InlineData("www.bücher.de", "xn--bcher-kva.de")]
    [InlineData("www.xn--bcher-kva.de", "xn--bcher-kva.de")]
    [InlineData("WWW.BÜCHER.DE", "xn--bcher-kva.de")]
    [InlineData("shop.example.公司.cn", "example.xn--55qx5d.cn")]
    [InlineData("shop.example.xn--55qx5d.cn", "example.xn--55qx5d.cn")]
    [InlineData("mail._dmarc.example.com", "example.com")]
    public void Shipped_list_gives_the_organizational_domain(string domain, string expected)
    {
        Assert.Equal(expected, Shipped.GetOrganizationalDomain(domain));
    }

    [Theory]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("a.www.ck", "www.ck")]
    [InlineData("x.a.b.ck", "a.b.ck")]
    [InlineData("a.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("x.y.kawasaki.jp", "x.y.kawasaki.jp")]
    [InlineData("a.b.example.co.uk", "example.co.uk")]
    [InlineData("a.example.公司.cn", "example.xn--55qx5d.cn")]
    [InlineData("a.foo.blogspot.com", "foo.blogspot.com")]
    [InlineData("a.b.example.zz", "example.zz")]
    public void Small_list_applies_rules_wildcards_and_exceptions(string domain, string expected)
    {
        var list = PublicSuffixList.Load(new StringReader(SmallList));
        Assert.Equal(expected, list.GetOrganizationalDomain(domain));
    }

    [Fact]
    public void Private_section_can_be_left_out()
    {
        var icannOnly = PublicSuffixList.Load(new StringReader(SmallList), includePrivateDomains: false);
        Assert.Equal("blogspot.com", icannOnly.GetOrganizationalDomain("a.foo.blogspot.com"));
        Assert.Equal(10, icannOnly.RuleCount);
        Assert.Equal(11, PublicSuffixList.Load(new StringReader(SmallList)).RuleCount);
    }

    [Fact]
    public void Shipped_list_is_complete()
    {
        Assert.True(Shipped.RuleCount > 9000, $"only {Shipped.RuleCount} rules");
        Assert.True(Shipped.IsPublicSuffix("co.uk"));
        Assert.True(Shipped.IsPublicSuffix("unknowntld"));
        Assert.False(Shipped.IsPublicSuffix("example.co.uk"));
        Assert.False(Shipped.IsPublicSuffix("www.ck"));
    }

    [Fact]
    public void List_loads_from_a_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psl-{Guid.NewGuid():N}.dat");
        File.WriteAllText(path, "example\n*.wild.example\n");
        try
        {
            var list = PublicSuffixList.LoadFile(path);
            Assert.Equal("b.example", list.GetOrganizationalDomain("x.a.b.example"));
            Assert.Equal("c.x.wild.example", list.GetOrganizationalDomain("c.x.wild.example"));
            Assert.Equal("com", list.GetOrganizationalDomain("com"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Malformed_rules_are_skipped()
    {
        var list = PublicSuffixList.Load(new StringReader("com\n..bad\na.*.b\n!\n*.\nvalid.example  trailing words\n"));
        Assert.Equal(2, list.RuleCount);
        Assert.Equal("x.valid.example", list.GetOrganizationalDomain("a.x.valid.example"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..example.com")]
    [InlineData(".example.com")]
    [InlineData("192.0.2.1")]
    [InlineData("exa mple.com")]
    [InlineData("example.com/x")]
    [InlineData("a_b.1")]
    [InlineData("-mail.example.com")]
    [InlineData("mail-.example.com")]
    [InlineData("xn--zz.example.com")]
    [InlineData("bu\u0308cher.de")]
    [InlineData("\uff45xample.com")]
    public void Invalid_names_are_refused_without_exceptions_from_TryGet(string domain)
    {
        Assert.False(Shipped.TryGetOrganizationalDomain(domain, out _));
        Assert.Throws<ArgumentException>(() => Shipped.GetOrganizationalDomain(domain));
    }

    [Fact]
    public void Overlong_labels_and_names_are_refused()
    {
        Assert.False(Shipped.TryGetOrganizationalDomain(new string('a', 64) + ".com", out _));
        Assert.True(Shipped.TryGetOrganizationalDomain(new string('a', 63) + ".com", out _));
        var longName = string.Join('.', Enumerable.Repeat("abcdefghi", 26)) + ".com";
        Assert.False(Shipped.TryGetOrganizationalDomain(longName, out _));
    }
}
