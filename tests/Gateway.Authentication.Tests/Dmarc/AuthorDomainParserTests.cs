using System.Text;
using Gateway.Authentication.Dmarc;

namespace Gateway.Authentication.Tests.Dmarc;

public sealed class AuthorDomainParserTests
{
    private static DmarcAuthor Parse(string headers) => AuthorDomainParser.Parse(Encoding.UTF8.GetBytes(headers));

    [Theory]
    [InlineData("From: a@example.com\r\n", "example.com")]
    [InlineData("From: Alice <a@Example.COM>\r\n", "example.com")]
    [InlineData("from: a@example.com\r\n", "example.com")]
    [InlineData("Subject: hi\r\nFrom:a@example.com\r\nTo: b@example.net\r\n\r\nbody", "example.com")]
    [InlineData("From: a@example.com\n", "example.com")]
    [InlineData("From: a@example.com", "example.com")]
    [InlineData("From: J. Smith <j@example.com>\r\n", "example.com")]
    [InlineData("From: , a@example.com ,\r\n", "example.com")]
    [InlineData("From: \"Smith, John\" <j@example.com>\r\n", "example.com")]
    [InlineData("From: first.last+tag@mail.example.com\r\n", "mail.example.com")]
    [InlineData("From: a@bücher.de\r\n", "xn--bcher-kva.de")]
    [InlineData("From: Jörg <a@example.com>\r\n", "example.com")]
    [InlineData("Resent-From: x@evil.example\r\nFrom: a@example.com\r\nX-From: y@evil.example\r\n", "example.com")]
    public void Single_author_domain_is_found(string headers, string domain)
    {
        var author = Parse(headers);
        Assert.Equal(DmarcAuthorProblem.None, author.Problem);
        Assert.True(author.IsValid);
        Assert.Equal(domain, author.Domain);
    }

    // "Composition Kills" (Chen et al., USENIX Security 2020): each header below must give the domain a mail
    // reader would show, or a problem; never the domain an attacker hid elsewhere.
    [Theory]
    [InlineData("quoted display name holding an address", "From: \"admin@bank.example\" <x@evil.example>\r\n", "evil.example")]
    [InlineData("escaped quote in display name", "From: \"a\\\"<admin@bank.example>\" <x@evil.example>\r\n", "evil.example")]
    [InlineData("comment after address", "From: x@evil.example (admin@bank.example)\r\n", "evil.example")]
    [InlineData("comment before address", "From: (admin@bank.example) x@evil.example\r\n", "evil.example")]
    [InlineData("comment inside address", "From: x(@bank.example)@evil.example\r\n", "evil.example")]
    [InlineData("nested comments", "From: ((admin@bank.example) \\) x) <x@evil.example>\r\n", "evil.example")]
    [InlineData("comment in angle address", "From: <(admin@bank.example)x@evil.example>\r\n", "evil.example")]
    [InlineData("quoted local part with @", "From: \"admin@bank.example\"@evil.example\r\n", "evil.example")]
    [InlineData("quoted local part with @ in angles", "From: Bank <\"admin@bank.example\"@evil.example>\r\n", "evil.example")]
    [InlineData("encoded word q", "From: =?utf-8?q?admin=40bank.example?= <x@evil.example>\r\n", "evil.example")]
    [InlineData("encoded word b", "From: =?utf-8?b?YWRtaW5AYmFuay5leGFtcGxl?= <x@evil.example>\r\n", "evil.example")]
    [InlineData("folded display name", "From: Bank\r\n <x@evil.example>\r\n", "evil.example")]
    [InlineData("folded inside address", "From: x@\r\n\tevil.example\r\n", "evil.example")]
    [InlineData("From header only in body", "From: x@evil.example\r\n\r\nFrom: admin@bank.example\r\n", "evil.example")]
    public void Tricks_resolve_to_the_real_domain(string trick, string headers, string domain)
    {
        var author = Parse(headers);
        Assert.True(author.IsValid, trick);
        Assert.Equal(domain, author.Domain);
    }

    [Theory]
    [InlineData("no From", "To: a@example.com\r\n", DmarcAuthorProblem.NoFromField)]
    [InlineData("empty input", "", DmarcAuthorProblem.NoFromField)]
    [InlineData("only in body", "To: a@example.com\r\n\r\nFrom: a@example.com\r\n", DmarcAuthorProblem.NoFromField)]
    [InlineData("two From", "From: a@bank.example\r\nFrom: x@evil.example\r\n", DmarcAuthorProblem.MultipleFromFields)]
    [InlineData("two From, other case", "From: a@bank.example\r\nFROM: x@evil.example\r\n", DmarcAuthorProblem.MultipleFromFields)]
    [InlineData("space before colon", "From: a@bank.example\r\nFrom : x@evil.example\r\n", DmarcAuthorProblem.MultipleFromFields)]
    [InlineData("tab before colon", "fRoM\t: a@bank.example\r\nFrom: x@evil.example\r\n", DmarcAuthorProblem.MultipleFromFields)]
    [InlineData("two From, LF only", "From: a@bank.example\nSubject: x\nFrom: x@evil.example\n", DmarcAuthorProblem.MultipleFromFields)]
    [InlineData("empty value", "From: \r\n", DmarcAuthorProblem.NoAddress)]
    [InlineData("phrase only", "From: Bank Support\r\n", DmarcAuthorProblem.NoAddress)]
    [InlineData("null path", "From: <>\r\n", DmarcAuthorProblem.NoAddress)]
    [InlineData("two addresses", "From: a@bank.example, x@evil.example\r\n", DmarcAuthorProblem.MultipleAddresses)]
    [InlineData("two named addresses", "From: A <a@bank.example>, X <x@evil.example>\r\n", DmarcAuthorProblem.MultipleAddresses)]
    [InlineData("group", "From: Friends: a@bank.example;\r\n", DmarcAuthorProblem.GroupSyntax)]
    [InlineData("empty group", "From: undisclosed-recipients:;\r\n", DmarcAuthorProblem.GroupSyntax)]
    [InlineData("unquoted display name address", "From: admin@bank.example <x@evil.example>\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("two angle addresses", "From: <a@bank.example> <x@evil.example>\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("unterminated angle", "From: <a@example.com\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("unterminated quote", "From: \"Bank <a@bank.example>\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("unterminated comment", "From: a@example.com (oops\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("stray close paren", "From: a@example.com )\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("NUL in From", "From: x@evil.example\0admin@bank.example\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("NUL in another field", "Subject: a\0b\r\nFrom: a@example.com\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("bare CR hides a From", "Subject: hi\rFrom: admin@bank.example\r\nFrom2: x\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("source route", "From: <@relay.example:a@bank.example>\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("folded second From", "From: x@evil.example\r\n From: admin@bank.example\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("backslash outside quotes", "From: a\\@bank.example@evil.example\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("control character", "From: a@exa\u0001mple.com\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("domain literal", "From: a@[192.0.2.1]\r\n", DmarcAuthorProblem.InvalidDomain)]
    [InlineData("trailing dot", "From: a@example.com.\r\n", DmarcAuthorProblem.InvalidDomain)]
    [InlineData("double dot", "From: a@example..com\r\n", DmarcAuthorProblem.InvalidDomain)]
    [InlineData("IP as domain", "From: a@192.0.2.1\r\n", DmarcAuthorProblem.InvalidDomain)]
    [InlineData("bad characters in domain", "From: a@exa!mple.com\r\n", DmarcAuthorProblem.InvalidDomain)]
    [InlineData("no domain", "From: a@\r\n", DmarcAuthorProblem.InvalidSyntax)]
    [InlineData("no local part", "From: @example.com\r\n", DmarcAuthorProblem.InvalidSyntax)]
    public void Problems_are_reported_and_never_valid(string trick, string headers, DmarcAuthorProblem problem)
    {
        var author = Parse(headers);
        Assert.False(author.IsValid, trick);
        Assert.Null(author.Domain);
        Assert.Equal(problem, author.Problem);
    }

    [Fact]
    public void Invalid_utf8_in_the_domain_is_a_syntax_problem()
    {
        var headers = "From: a@exa"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("mple.com\r\n"u8.ToArray()).ToArray();
        Assert.Equal(DmarcAuthorProblem.InvalidSyntax, AuthorDomainParser.Parse(headers).Problem);
    }

    [Fact]
    public void Address_is_kept_for_reports()
    {
        var author = Parse("From: Alice <alice@Example.com>\r\n");
        Assert.Equal("alice@Example.com", author.Address);
    }

    [Fact]
    public void Deep_comment_nesting_is_refused()
    {
        var headers = "From: " + new string('(', 100) + new string(')', 100) + " a@example.com\r\n";
        Assert.Equal(DmarcAuthorProblem.InvalidSyntax, Parse(headers).Problem);
    }

    [Fact]
    public void Every_truncation_of_a_tricky_header_section_is_handled_without_exceptions()
    {
        var headers = Encoding.UTF8.GetBytes(
            "Received: from x\r\n\tby y\r\nFrom: \"Bank (x) \\\"q\\\"\" (c (d)) <\"a@b\"@[1.2.3.4]>, =?utf-8?q?x?= <x@bücher.de>\r\nSubject: s\r\n\r\nbody");
        for (var length = 0; length <= headers.Length; length++)
        {
            var author = AuthorDomainParser.Parse(headers.AsSpan(0, length));
            Assert.True(author.IsValid || author.Problem != DmarcAuthorProblem.None);
        }
    }

    [Fact]
    public void ForDomain_normalizes_and_validates()
    {
        Assert.Equal("xn--bcher-kva.de", DmarcAuthor.ForDomain("Bücher.DE.").Domain);
        Assert.Equal(DmarcAuthorProblem.InvalidDomain, DmarcAuthor.ForDomain("not a domain").Problem);
        Assert.Throws<ArgumentException>(() => DmarcAuthor.Invalid(DmarcAuthorProblem.None));
    }
}
