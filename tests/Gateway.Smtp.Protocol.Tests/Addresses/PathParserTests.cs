using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class PathParserTests
{
    [Theory]
    // Plain forms and canonical domains.
    [InlineData("user@example.com", "user", "example.com")]
    [InlineData("User.Name@EXAMPLE.Com", "User.Name", "example.com")]
    [InlineData("a@b", "a", "b")]
    [InlineData("first.last+tag@sub.example.org", "first.last+tag", "sub.example.org")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com")]
    [InlineData("user@a-b.example", "user", "a-b.example")]
    [InlineData("user@123.example", "user", "123.example")]
    [InlineData("user@example.123a", "user", "example.123a")]
    [InlineData("user@xn--bcher-kva.example", "user", "xn--bcher-kva.example")]
    [InlineData("user@XN--BCHER-KVA.EXAMPLE", "user", "xn--bcher-kva.example")]
    // Source routes are dropped: the last hop is the mailbox (RFC 5321 4.1.1.3, C).
    [InlineData("@ours.example:victim@evil.example", "victim", "evil.example")]
    [InlineData("@evil.example:user@ours.example", "user", "ours.example")]
    [InlineData("@a.example,@b.example:user@c.example", "user", "c.example")]
    // Percent hack and bang paths parse; policy refuses them (LocalPartHasRoutingCharacters).
    [InlineData("victim%evil.example@ours.example", "victim%evil.example", "ours.example")]
    [InlineData("evil.example!victim@ours.example", "evil.example!victim", "ours.example")]
    public void Valid_dot_string_forms(string path, string localPart, string domain)
    {
        var error = PathParser.TryParseMailbox(path, allowUtf8: false, SmtpDefaults.PathLength, out var mailbox);

        Assert.Equal(AddressError.None, error);
        Assert.NotNull(mailbox);
        Assert.Equal(localPart, mailbox.LocalPart);
        Assert.Equal(domain, mailbox.Domain);
        Assert.False(mailbox.IsAddressLiteral);
        Assert.False(mailbox.LocalPartWasQuoted);
    }

    [Fact]
    public void Percent_and_bang_forms_are_flagged_for_policy()
    {
        PathParser.TryParseMailbox("victim%evil.example@ours.example", false, 256, out var percent);
        PathParser.TryParseMailbox("evil!victim@ours.example", false, 256, out var bang);
        PathParser.TryParseMailbox("plain@ours.example", false, 256, out var plain);

        Assert.True(percent!.LocalPartHasRoutingCharacters);
        Assert.True(bang!.LocalPartHasRoutingCharacters);
        Assert.False(plain!.LocalPartHasRoutingCharacters);
    }

    [Theory]
    [InlineData("\"john doe\"@example.com", "john doe")]
    [InlineData("\"victim@evil.example\"@ours.example", "victim@evil.example")]
    [InlineData("\"a\\\"b\"@example.com", "a\"b")]
    [InlineData("\"a\\\\b\"@example.com", "a\\b")]
    [InlineData("\"<x>\"@example.com", "<x>")]
    [InlineData("\"plain\"@example.com", "plain")]
    public void Quoted_local_parts_are_unquoted(string path, string localPart)
    {
        var error = PathParser.TryParseMailbox(path, false, SmtpDefaults.PathLength, out var mailbox);

        Assert.Equal(AddressError.None, error);
        Assert.Equal(localPart, mailbox!.LocalPart);
        Assert.Equal("example.com", mailbox.Domain.Replace("ours.example", "example.com", StringComparison.Ordinal));
        Assert.True(mailbox.LocalPartWasQuoted);
    }

    [Fact]
    public void Quoted_at_sign_is_flagged_for_policy()
    {
        PathParser.TryParseMailbox("\"victim@evil.example\"@ours.example", false, 256, out var mailbox);

        Assert.Equal("ours.example", mailbox!.Domain);
        Assert.True(mailbox.LocalPartHasRoutingCharacters);
    }

    [Theory]
    [InlineData("user@[192.0.2.1]", "[192.0.2.1]")]
    [InlineData("user@[0.0.0.0]", "[0.0.0.0]")]
    [InlineData("user@[255.255.255.255]", "[255.255.255.255]")]
    [InlineData("user@[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]")]
    [InlineData("user@[ipv6:2001:DB8:0:0:0:0:0:1]", "[IPv6:2001:db8::1]")]
    [InlineData("user@[IPv6:::1]", "[IPv6:::1]")]
    [InlineData("user@[IPv6:::ffff:192.0.2.1]", "[IPv6:::ffff:192.0.2.1]")]
    public void Address_literals_are_canonical(string path, string domain)
    {
        var error = PathParser.TryParseMailbox(path, false, SmtpDefaults.PathLength, out var mailbox);

        Assert.Equal(AddressError.None, error);
        Assert.Equal(domain, mailbox!.Domain);
        Assert.True(mailbox.IsAddressLiteral);
    }

    [Theory]
    [InlineData("")]
    [InlineData("user")]
    [InlineData("Postmaster")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("a@b@c")]
    [InlineData("victim@evil.example@ours.example")]
    [InlineData(".user@example.com")]
    [InlineData("user.@example.com")]
    [InlineData("us..er@example.com")]
    [InlineData("us er@example.com")]
    [InlineData(" user@example.com")]
    [InlineData("user@example.com ")]
    [InlineData("user@exa mple.com")]
    [InlineData("us\ter@example.com")]
    [InlineData("us\u0001er@example.com")]
    [InlineData("us\u007fer@example.com")]
    [InlineData("user@exa\u0000mple.com")]
    [InlineData("us(er@example.com")]
    [InlineData("us\"er@example.com")]
    [InlineData("user@example.com.")]
    [InlineData("user@.example.com")]
    [InlineData("user@example..com")]
    [InlineData("user@-example.com")]
    [InlineData("user@example-.com")]
    [InlineData("user@exa_mple.com")]
    [InlineData("user@1.2.3.4")]
    [InlineData("user@example.123")]
    [InlineData("user@xn--zz.example")]
    [InlineData("\"unterminated@example.com")]
    [InlineData("\"\"@example.com")]
    [InlineData("\"a\"b@example.com")]
    [InlineData("\"a\"\"b\"@example.com")]
    [InlineData("\"a\\\u0001\"@example.com")]
    [InlineData("\"a\tb\"@example.com")]
    [InlineData("@ours.example")]
    [InlineData("@ours.example:")]
    [InlineData("@ours.example,victim@evil.example")]
    [InlineData("@:user@example.com")]
    [InlineData("@bad_domain:user@example.com")]
    [InlineData("ours.example:user@example.com")]
    [InlineData("user@[192.0.2.1")]
    [InlineData("user@192.0.2.1]")]
    [InlineData("user@[192.0.2]")]
    [InlineData("user@[192.0.2.256]")]
    [InlineData("user@[192.0.2.01]")]
    [InlineData("user@[127.1]")]
    [InlineData("user@[0x7f.0.0.1]")]
    [InlineData("user@[2001:db8::1]")]
    [InlineData("user@[IPv6:192.0.2.1]")]
    [InlineData("user@[IPv6:fe80::1%eth0]")]
    [InlineData("user@[IPv6:2001:db8::1::2]")]
    [InlineData("user@[tag:content]")]
    [InlineData("user@[]")]
    [InlineData("user@[ 192.0.2.1]")]
    [InlineData("<user@example.com>")]
    public void Syntax_errors(string path)
    {
        var error = PathParser.TryParseMailbox(path, allowUtf8: true, SmtpDefaults.PathLength, out var mailbox);

        Assert.Equal(AddressError.Syntax, error);
        Assert.Null(mailbox);
    }

    [Fact]
    public void Local_parts_over_64_octets_are_accepted_within_the_path_limit()
    {
        // RFC 5321 4.5.3.1: 64 octets is what every server must take, not a cap; VERP and SRS return paths are often
        // longer, and Postfix takes them. The path limit still bounds the whole.
        var verp = "list-bounces+" + new string('a', 40) + "=subscriber.example.org";
        Assert.True(verp.Length > 64);

        Assert.Equal(AddressError.None, PathParser.TryParseMailbox(verp + "@lists.example.com", false, 256, out var mailbox));
        Assert.Equal(verp, mailbox!.LocalPart);
        Assert.Equal(AddressError.None, PathParser.TryParseMailbox("\"" + new string('a', 100) + "\"@example.com", false, 256, out _));
        Assert.Equal(AddressError.TooLong, PathParser.TryParseMailbox(new string('a', 250) + "@example.com", false, 256, out _));
    }

    [Fact]
    public void Path_limit_counts_the_brackets()
    {
        // 254 octets of path + 2 brackets = 256: the limit exactly.
        var domain = string.Join('.', Enumerable.Repeat(new string('d', 60), 3)) + "." + new string('e', 50);
        var local = new string('l', 254 - 1 - domain.Length);
        var path = local + "@" + domain;
        Assert.Equal(254, path.Length);

        Assert.Equal(AddressError.None, PathParser.TryParseMailbox(path, false, 256, out _));
        Assert.Equal(AddressError.TooLong, PathParser.TryParseMailbox("x" + path, false, 256, out _));
        Assert.Equal(AddressError.TooLong, PathParser.TryParseMailbox(path, false, 255, out _));
    }

    [Fact]
    public void Label_over_63_octets_is_too_long()
    {
        Assert.Equal(AddressError.None, PathParser.TryParseMailbox("u@" + new string('a', 63) + ".example", false, 256, out _));
        Assert.Equal(AddressError.TooLong, PathParser.TryParseMailbox("u@" + new string('a', 64) + ".example", false, 256, out _));
    }

    [Theory]
    [InlineData(253, AddressError.None)]
    [InlineData(254, AddressError.TooLong)]
    [InlineData(255, AddressError.TooLong)]
    [InlineData(257, AddressError.TooLong)]
    public void Domain_over_253_characters_is_too_long_even_under_a_raised_path_limit(int length, AddressError expected)
    {
        // RFC 1035 2.3.4: 255 octets on the wire are 253 characters in text form; a longer name cannot be resolved
        // (254 and 255 used to pass under RFC 5321's 255-octet figure).
        var domain = string.Join('.', Enumerable.Repeat(new string('d', 63), 5))[..(length - 2)] + ".a";
        Assert.Equal(length, domain.Length);

        Assert.Equal(expected, PathParser.TryParseMailbox("u@" + domain, false, 1000, out _));
    }

    [Theory]
    [InlineData("jörg@example.com")]
    [InlineData("user@bücher.example")]
    [InlineData("\"jörg\"@example.com")]
    [InlineData("@bücher.example:user@example.com")]
    public void Non_ascii_without_smtputf8_is_refused(string path)
    {
        Assert.Equal(AddressError.NonAscii, PathParser.TryParseMailbox(path, allowUtf8: false, 256, out var mailbox));
        Assert.Null(mailbox);
    }

    [Theory]
    [InlineData("jörg@example.com", "jörg", "example.com")]
    [InlineData("user@bücher.example", "user", "xn--bcher-kva.example")]
    [InlineData("user@Bücher.EXAMPLE", "user", "xn--bcher-kva.example")]
    [InlineData("user@BÜCHER.example", "user", "xn--bcher-kva.example")]
    [InlineData("用户@例子.测试", "用户", "xn--fsqu00a.xn--0zwm56d")]
    [InlineData("user@xn--fsqu00a.xn--0zwm56d", "user", "xn--fsqu00a.xn--0zwm56d")]
    [InlineData("user@пример.испытание", "user", "xn--e1afmkfd.xn--80akhbyknj4f")]
    [InlineData("😀@example.com", "😀", "example.com")]
    [InlineData("user@\u212Aample.com", "user", "kample.com")]
    [InlineData("user@straße.example", "user", "xn--strae-oqa.example")]
    public void Utf8_addresses_with_smtputf8(string path, string localPart, string domain)
    {
        var error = PathParser.TryParseMailbox(path, allowUtf8: true, 256, out var mailbox);

        Assert.Equal(AddressError.None, error);
        Assert.Equal(localPart, mailbox!.LocalPart);
        Assert.Equal(domain, mailbox.Domain);
    }

    [Theory]
    [InlineData("user@bü_cher.example")]
    [InlineData("user@bücher..example")]
    [InlineData("us\u0085er@example.com")]
    [InlineData("us\ufffder@example.com")]
    [InlineData("user@exa\u00a0mple.com")]
    [InlineData("user@a\u2603b.example")]
    [InlineData("user@bu\u0308cher.example")]
    [InlineData("user@\u0308bcher.example")]
    [InlineData("user@xn--bcher-2pa.example")]
    [InlineData("user@bü-.example")]
    [InlineData("user@例子\u3002测试")]
    [InlineData("user@\uff45xample.com")]
    [InlineData("user@\U0001d41example.com")]
    public void Invalid_utf8_addresses_are_syntax_errors(string path)
    {
        Assert.Equal(AddressError.Syntax, PathParser.TryParseMailbox(path, allowUtf8: true, 256, out _));
    }

    [Fact]
    public void Lone_surrogate_is_a_syntax_error()
    {
        var path = "us" + (char)0xD800 + "er@example.com";

        Assert.Equal(AddressError.Syntax, PathParser.TryParseMailbox(path, allowUtf8: true, 256, out _));
    }

    [Fact]
    public void Utf8_path_length_is_counted_in_octets()
    {
        // "ö" is two octets: 121 of them and "@example.com" make 254, 256 with the brackets; 122 are over the limit
        // although the path has only 134 characters.
        Assert.Equal(AddressError.None, PathParser.TryParseMailbox(new string('ö', 121) + "@example.com", true, 256, out _));
        Assert.Equal(AddressError.TooLong, PathParser.TryParseMailbox(new string('ö', 122) + "@example.com", true, 256, out _));
    }

    [Fact]
    public void Mailbox_to_string_is_canonical()
    {
        PathParser.TryParseMailbox("@relay.example:Joe@Example.COM", false, 256, out var mailbox);

        Assert.Equal(new Mailbox("Joe", "example.com"), mailbox);
        Assert.Equal("Joe@example.com", mailbox!.ToString());
    }
}
