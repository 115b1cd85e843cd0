using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

/// <summary>The REQUIRETLS MAIL parameter (RFC 8689 2): no value, and only where it was offered (inside TLS).</summary>
public sealed class RequireTlsParameterTests
{
    private static readonly ParserOptions InsideTls = new() { Extended = true, RequireTlsOffered = true };
    private static readonly ParserOptions Plaintext = new() { Extended = true };

    private static SmtpCommand Parse(string line, ParserOptions options) =>
        SmtpCommandParser.Parse(Encoding.ASCII.GetBytes(line), options);

    [Theory]
    [InlineData("MAIL FROM:<a@example.com> REQUIRETLS")]
    [InlineData("MAIL FROM:<a@example.com> requiretls")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=10 RequireTLS BODY=8BITMIME")]
    [InlineData("MAIL FROM:<> REQUIRETLS")]
    public void Inside_tls_the_parameter_sets_the_flag(string line)
    {
        var mail = Assert.IsType<MailCommand>(Parse(line, InsideTls));

        Assert.True(mail.Parameters.RequireTls);
    }

    [Fact]
    public void Without_the_parameter_the_flag_is_off()
    {
        Assert.False(Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> SIZE=10", InsideTls)).Parameters.RequireTls);
    }

    [Theory]
    [InlineData("REQUIRETLS=YES")]
    [InlineData("REQUIRETLS=NO")]
    public void A_value_is_a_syntax_error(string parameter)
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> " + parameter, InsideTls));

        Assert.Equal(501, invalid.Reply.Code);
        Assert.Equal("5.5.4", invalid.Reply.EnhancedCode);
    }

    [Fact]
    public void Given_twice_it_is_a_duplicate()
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> REQUIRETLS REQUIRETLS", InsideTls));

        Assert.Equal(SmtpReplies.DuplicateParameter, invalid.Reply);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.com> REQUIRETLS")]
    [InlineData("MAIL FROM:<a@example.com> REQUIRETLS=YES")]
    public void Outside_tls_it_gets_530_5_7_10(string line)
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse(line, Plaintext));

        Assert.Equal(530, invalid.Reply.Code);
        Assert.Equal("5.7.10", invalid.Reply.EnhancedCode);
    }

    [Fact]
    public void After_helo_it_is_not_recognised()
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> REQUIRETLS", new ParserOptions { RequireTlsOffered = true }));

        Assert.Equal(SmtpReplies.ParameterNotRecognized, invalid.Reply);
    }

    [Fact]
    public void It_is_never_a_rcpt_parameter()
    {
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<a@example.com> REQUIRETLS", InsideTls)).Reply);
    }
}
