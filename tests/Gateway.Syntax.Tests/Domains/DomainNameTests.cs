namespace Gateway.Syntax.Tests;

public sealed class DomainNameTests
{
    private static readonly string Label63 = new('a', 63);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("EXAMPLE.Com", "example.com")]
    [InlineData("a", "a")]
    [InlineData("a-b.c1.test", "a-b.c1.test")]
    [InlineData("123.example", "123.example")]
    [InlineData("example.123a", "example.123a")]
    [InlineData("ab--cd.example", "ab--cd.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example")]
    public void Ascii_names_come_out_lower_case(string text, string canonical)
    {
        Assert.Equal(DomainNameError.None, DomainName.TryCanonicalize(text, DomainNameOptions.None, out var value));
        Assert.Equal(canonical, value);
    }

    [Theory]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("Bücher.EXAMPLE", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("例子.测试", "xn--fsqu00a.xn--0zwm56d")]
    [InlineData("пример.испытание", "xn--e1afmkfd.xn--80akhbyknj4f")]
    [InlineData("straße.example", "xn--strae-oqa.example")]
    [InlineData("\u212Aample.com", "kample.com")]
    [InlineData("_dmarc.bücher.example", null)]
    public void U_labels_become_a_labels(string text, string? canonical)
    {
        var error = DomainName.TryCanonicalize(text, DomainNameOptions.AllowUnicode, out var value);

        Assert.Equal(canonical is null ? DomainNameError.InvalidLabel : DomainNameError.None, error);
        Assert.Equal(canonical ?? string.Empty, value);
    }

    [Theory]
    [InlineData("", DomainNameError.Empty)]
    [InlineData(".", DomainNameError.Empty)]
    [InlineData("example.com.", DomainNameError.TrailingDot)]
    [InlineData(".example.com", DomainNameError.InvalidLabel)]
    [InlineData("example..com", DomainNameError.InvalidLabel)]
    [InlineData("-example.com", DomainNameError.InvalidLabel)]
    [InlineData("example-.com", DomainNameError.InvalidLabel)]
    [InlineData("exa_mple.com", DomainNameError.InvalidLabel)]
    [InlineData("exa mple.com", DomainNameError.InvalidLabel)]
    [InlineData("[192.0.2.1]", DomainNameError.InvalidLabel)]
    [InlineData("user@example.com", DomainNameError.InvalidLabel)]
    [InlineData("xn--zz.example", DomainNameError.InvalidLabel)]
    [InlineData("xn--bcher-2pa.example", DomainNameError.InvalidLabel)]
    [InlineData("1.2.3.4", DomainNameError.NumericTopLevelLabel)]
    [InlineData("example.123", DomainNameError.NumericTopLevelLabel)]
    [InlineData("bücher.example", DomainNameError.NonAscii)]
    public void Strict_names_refuse_with_a_reason(string text, DomainNameError expected)
    {
        Assert.Equal(expected, DomainName.TryCanonicalize(text, DomainNameOptions.None, out var value));
        Assert.Equal(string.Empty, value);
    }

    [Theory]
    [InlineData("bü_cher.example")]
    [InlineData("bücher..example")]
    [InlineData("exa\u00a0mple.com")]
    [InlineData("a\u2603b.example")]
    [InlineData("bu\u0308cher.example")]
    [InlineData("\u0308bcher.example")]
    [InlineData("bü-.example")]
    [InlineData("-bü.example")]
    [InlineData("bü--x.example")]
    [InlineData("例子\u3002测试")]
    [InlineData("\uff45xample.com")]
    [InlineData("\U0001d41example.com")]
    public void U_labels_that_idna_or_nfc_would_change_are_refused(string text)
    {
        Assert.Equal(DomainNameError.InvalidLabel, DomainName.TryCanonicalize(text, DomainNameOptions.AllowUnicode, out _));
    }

    [Theory]
    [InlineData("example.com.", DomainNameOptions.AllowTrailingDot, "example.com")]
    [InlineData("Example.COM.", DomainNameOptions.AllowTrailingDot, "example.com")]
    [InlineData("_dmarc.example.com", DomainNameOptions.AllowUnderscore, "_dmarc.example.com")]
    [InlineData("sel_1._domainkey.example.com", DomainNameOptions.AllowUnderscore, "sel_1._domainkey.example.com")]
    [InlineData("2024", DomainNameOptions.Relative, "2024")]
    [InlineData("s1.2024", DomainNameOptions.Relative, "s1.2024")]
    [InlineData("mx.example", DomainNameOptions.RequireMultipleLabels, "mx.example")]
    [InlineData("_spf.bücher.example.", DomainNameOptions.AllowUnderscore | DomainNameOptions.AllowUnicode | DomainNameOptions.AllowTrailingDot, "_spf.xn--bcher-kva.example")]
    public void Options_widen_what_is_accepted(string text, DomainNameOptions options, string canonical)
    {
        Assert.Equal(DomainNameError.None, DomainName.TryCanonicalize(text, options, out var value));
        Assert.Equal(canonical, value);
    }

    [Theory]
    [InlineData("example.com..", DomainNameOptions.AllowTrailingDot, DomainNameError.InvalidLabel)]
    [InlineData(".", DomainNameOptions.AllowTrailingDot, DomainNameError.Empty)]
    [InlineData("-_dmarc.example", DomainNameOptions.AllowUnderscore, DomainNameError.InvalidLabel)]
    [InlineData("_dmarc-.example", DomainNameOptions.AllowUnderscore, DomainNameError.InvalidLabel)]
    [InlineData("localhost", DomainNameOptions.RequireMultipleLabels, DomainNameError.SingleLabel)]
    [InlineData("2024", DomainNameOptions.None, DomainNameError.NumericTopLevelLabel)]
    public void Options_do_not_widen_more_than_they_say(string text, DomainNameOptions options, DomainNameError expected)
    {
        Assert.Equal(expected, DomainName.TryCanonicalize(text, options, out _));
    }

    [Theory]
    [InlineData(63, DomainNameError.None)]
    [InlineData(64, DomainNameError.TooLong)]
    public void A_label_holds_63_characters(int length, DomainNameError expected)
    {
        Assert.Equal(expected, DomainName.TryCanonicalize(new string('a', length) + ".example", DomainNameOptions.None, out _));
    }

    [Theory]
    [InlineData(253, DomainNameError.None)]
    [InlineData(254, DomainNameError.TooLong)]
    [InlineData(255, DomainNameError.TooLong)]
    public void A_name_holds_253_characters_in_text_form(int length, DomainNameError expected)
    {
        var name = NameOfLength(length);

        Assert.Equal(expected, DomainName.TryCanonicalize(name, DomainNameOptions.None, out _));
        Assert.Equal(expected, DomainName.TryCanonicalize(name + ".", DomainNameOptions.AllowTrailingDot, out _));
    }

    [Fact]
    public void The_length_limit_applies_to_the_a_label_form()
    {
        // 60 "ü" are 60 characters as written and far more than 63 as an A-label; IdnMapping refuses it without
        // saying why, so it is an invalid label. 130 cannot fit whatever the encoding: too long before IDNA runs.
        Assert.Equal(DomainNameError.InvalidLabel, DomainName.TryCanonicalize(new string('ü', 60) + ".example", DomainNameOptions.AllowUnicode, out _));
        Assert.Equal(DomainNameError.TooLong, DomainName.TryCanonicalize(new string('ü', 130) + ".example", DomainNameOptions.AllowUnicode, out _));

        // Seven labels of ten scattered CJK ideographs (34-character A-labels) are 84 characters as written and
        // 252 converted: the limit is on the converted form.
        var label = new string(Enumerable.Range(0, 10).Select(i => (char)(0x4E00 + (i * 577 % 20000))).ToArray());
        var name = string.Join('.', Enumerable.Repeat(label, 7)) + ".example";
        Assert.Equal(84, name.Length);
        Assert.Equal(DomainNameError.None, DomainName.TryCanonicalize(name, DomainNameOptions.AllowUnicode, out var canonical));
        Assert.Equal(252, canonical.Length);
        Assert.Equal(DomainNameError.TooLong, DomainName.TryCanonicalize("a." + name, DomainNameOptions.AllowUnicode, out _));
    }

    [Theory]
    [InlineData("mx.Example.COM.", "mx.example.com")]
    [InlineData(" mx.example.com ", "mx.example.com")]
    [InlineData("mx.example.com..", "mx.example.com")]
    [InlineData("Exa_mple", "exa_mple")]
    [InlineData(".", "")]
    public void Comparison_form_drops_the_root_dot_and_case(string name, string expected)
    {
        Assert.Equal(expected, DomainName.ComparisonForm(name));
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("mail.example.com", "example.com", true)]
    [InlineData("a.b.Example.COM", "example.com", true)]
    [InlineData("ample.com", "example.com", false)]
    [InlineData("notexample.com", "example.com", false)]
    [InlineData("example.com", "mail.example.com", false)]
    [InlineData("example.com.evil", "example.com", false)]
    [InlineData("example.com", "", false)]
    [InlineData("", "", false)]
    public void Same_or_subdomain_follows_label_boundaries(string name, string domain, bool expected)
    {
        Assert.Equal(expected, DomainName.IsSameOrSubdomain(name, domain));
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("example.com.", true)]
    [InlineData("_dmarc.ex ample.com", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    public void Dns_limits_check_lengths_and_empty_labels_only(string name, bool expected)
    {
        Assert.Equal(expected, DomainName.FitsInDns(name));
    }

    [Fact]
    public void Dns_limits_are_63_per_label_and_253_in_all()
    {
        Assert.True(DomainName.FitsInDns(Label63 + ".x"));
        Assert.False(DomainName.FitsInDns(Label63 + "a.x"));
        Assert.True(DomainName.FitsInDns(NameOfLength(253)));
        Assert.False(DomainName.FitsInDns(NameOfLength(254)));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("a-1", true)]
    [InlineData("1a", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("a_b", false)]
    [InlineData("ü", false)]
    public void Ldh_labels_are_let_dig_with_inner_hyphens(string label, bool expected)
    {
        Assert.Equal(expected, DomainName.IsLdhLabel(label));
    }

    [Theory]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("xn--fsqu00a.xn--0zwm56d", "例子.测试")]
    [InlineData("example.com", "example.com")]
    [InlineData("xn--zz.example", null)]
    public void A_labels_are_shown_as_u_labels(string canonical, string? unicode)
    {
        Assert.Equal(unicode is not null, DomainName.TryGetUnicode(canonical, out var value));
        Assert.Equal(unicode ?? string.Empty, value);
    }

    [Theory]
    [InlineData("bücher.example")]
    [InlineData("例子.测试")]
    [InlineData("пример.испытание")]
    public void U_label_to_a_label_and_back_is_the_same_name(string unicode)
    {
        Assert.Equal(DomainNameError.None, DomainName.TryCanonicalize(unicode, DomainNameOptions.AllowUnicode, out var ascii));
        Assert.True(DomainName.TryGetUnicode(ascii, out var back));
        Assert.Equal(unicode, back);
    }

    /// <summary>Labels of 63 "a" separated by dots, cut to exactly <paramref name="length"/> characters.</summary>
    private static string NameOfLength(int length)
    {
        var name = string.Join('.', Enumerable.Repeat(Label63, 5))[..length];
        Assert.False(name.EndsWith('.'));
        return name;
    }
}
