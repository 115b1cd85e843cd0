using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Spf;

public sealed class SpfMacroStringTests
{
    // RFC 7208 7.4: sender strong-bad@email.example.com, client 192.0.2.3.
    private static readonly SpfMacroValues Example = new(
        Sender: "strong-bad@email.example.com",
        LocalPart: "strong-bad",
        SenderDomain: "email.example.com",
        Domain: "email.example.com",
        IpDotted: "192.0.2.3",
        ValidatedName: "mx.example.org",
        IpVersion: "in-addr",
        Helo: "mail.example.org",
        ClientReadable: "192.0.2.3",
        ReceivingHost: "gw.example.net",
        Timestamp: "1700000000");

    [Theory]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    public void Rfc_7208_section_7_4_examples_expand_as_published(string text, string expected)
    {
        Assert.True(SpfMacroString.TryParse(text, explanation: false, out var macro, out var error), error);

        Assert.Equal(expected, macro!.Expand(Example));
    }

    [Theory]
    [InlineData("%%", "%")]
    [InlineData("%_", " ")]
    [InlineData("%-", "%20")]
    [InlineData("a%%b%_c%-d", "a%b c%20d")]
    [InlineData("%{h}", "mail.example.org")]
    [InlineData("%{p}", "mx.example.org")]
    [InlineData("%{D}", "email.example.com")]
    [InlineData("%{S}", "strong-bad%40email.example.com")]
    [InlineData("%{dR}", "com.example.email")]
    [InlineData("%{d200}", "email.example.com")]
    [InlineData("%{d99999999999999999999}", "email.example.com")]
    [InlineData("%{s=}", "strong-bad@email.example.com")]
    [InlineData("%{o.-+,/_=}", "email.example.com")]
    [InlineData("plain.example.com", "plain.example.com")]
    public void Escapes_transformers_and_case(string text, string expected)
    {
        Assert.True(SpfMacroString.TryParse(text, explanation: false, out var macro, out var error), error);

        Assert.Equal(expected, macro!.Expand(Example));
    }

    [Theory]
    [InlineData("%{c}", "192.0.2.3")]
    [InlineData("%{r}", "gw.example.net")]
    [InlineData("%{t}", "1700000000")]
    [InlineData("%{l} says hi from %{C}", "strong-bad says hi from 192.0.2.3")]
    public void Explanation_text_allows_c_r_t_and_spaces(string text, string expected)
    {
        Assert.True(SpfMacroString.TryParse(text, explanation: true, out var macro, out var error), error);

        Assert.Equal(expected, macro!.Expand(Example));
    }

    [Fact]
    public void Uppercase_macros_escape_everything_outside_the_unreserved_set_as_utf8()
    {
        var values = Example with { LocalPart = "~jack&jill=up-a_b3.c é" };
        Assert.True(SpfMacroString.TryParse("%{L}", explanation: false, out var macro, out _));

        Assert.Equal("~jack%26jill%3Dup-a_b3.c%20%C3%A9", macro!.Expand(values));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("abc%")]
    [InlineData("%{")]
    [InlineData("%{d")]
    [InlineData("%{}")]
    [InlineData("%{x}")]
    [InlineData("%{a}")]
    [InlineData("%{d0}")]
    [InlineData("%{d00}")]
    [InlineData("%{d2r!}")]
    [InlineData("%{d r}")]
    [InlineData("%{dr2}")]
    [InlineData("%(ir)")]
    [InlineData("%.")]
    [InlineData("%a")]
    [InlineData("%{c}")]
    [InlineData("%{r}")]
    [InlineData("%{T}")]
    [InlineData("a b")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("caf\u00e9")]
    public void Bad_macro_strings_are_refused(string text)
    {
        Assert.False(SpfMacroString.TryParse(text, explanation: false, out var macro, out var error));
        Assert.Null(macro);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Every_prefix_of_a_macro_string_parses_or_fails_cleanly()
    {
        const string text = "%{ir}.%{v}.%{l1r-+}.%%%_%-lp._spf.%{D2}.%{p}";
        for (var i = 0; i <= text.Length; i++)
        {
            var prefix = text[..i];
            if (SpfMacroString.TryParse(prefix, explanation: false, out var macro, out _))
            {
                Assert.NotNull(macro!.Expand(Example));
            }
        }
    }

    [Fact]
    public void Domain_end_is_known_from_the_parsed_segments()
    {
        Assert.True(SpfMacroString.TryParse("foo.%{d}", explanation: false, out var endsInMacro, out _));
        Assert.True(SpfMacroString.TryParse("%{d}.bar.com", explanation: false, out var endsInLiteral, out _));
        Assert.True(SpfMacroString.TryParse("x%%", explanation: false, out var endsInEscape, out _));

        Assert.True(endsInMacro!.EndsWithMacroExpand);
        Assert.False(endsInLiteral!.EndsWithMacroExpand);
        Assert.Equal(".bar.com", endsInLiteral.TrailingLiteral);
        Assert.True(endsInEscape!.EndsWithMacroExpand);
        Assert.True(SpfMacroString.TryParse("%{p}", explanation: false, out var usesP, out _));
        Assert.True(usesP!.UsesValidatedName);
        Assert.False(endsInMacro.UsesValidatedName);
    }
}
