using System.Text;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class SmtpCommandParserTests
{
    private static readonly ParserOptions Esmtp = new() { Extended = true, AuthOffered = true };

    private static SmtpCommand Parse(string line, ParserOptions? options = null) =>
        SmtpCommandParser.Parse(Encoding.UTF8.GetBytes(line), options ?? Esmtp);

    private static void AssertInvalid(SmtpCommand command, SmtpVerb verb, int code, string enhanced)
    {
        var invalid = Assert.IsType<InvalidCommand>(command);
        Assert.Equal(verb, invalid.Verb);
        Assert.Equal(code, invalid.Reply.Code);
        Assert.Equal(enhanced, invalid.Reply.EnhancedCode);
    }

    [Theory]
    [InlineData("DATA", SmtpVerb.Data)]
    [InlineData("data", SmtpVerb.Data)]
    [InlineData("RSET", SmtpVerb.Rset)]
    [InlineData("Quit", SmtpVerb.Quit)]
    [InlineData("STARTTLS", SmtpVerb.StartTls)]
    [InlineData("starttls", SmtpVerb.StartTls)]
    [InlineData("NOOP", SmtpVerb.Noop)]
    [InlineData("NOOP anything at all", SmtpVerb.Noop)]
    [InlineData("DATA  ", SmtpVerb.Data)]
    public void Argumentless_commands(string line, SmtpVerb verb)
    {
        var command = Parse(line);

        Assert.Equal(verb, command.Verb);
        Assert.IsNotType<InvalidCommand>(command);
    }

    [Theory]
    [InlineData("DATA x", SmtpVerb.Data)]
    [InlineData("RSET now", SmtpVerb.Rset)]
    [InlineData("QUIT please", SmtpVerb.Quit)]
    [InlineData("STARTTLS tls1.3", SmtpVerb.StartTls)]
    public void Arguments_where_none_are_allowed_get_501(string line, SmtpVerb verb)
    {
        AssertInvalid(Parse(line), verb, 501, "5.5.4");
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("MAILFROM:<a@b>")]
    [InlineData("XCLIENT ADDR=1.2.3.4")]
    [InlineData("HELOX host")]
    [InlineData("STARTTLSX")]
    [InlineData("DAT")]
    public void Unknown_verbs(string line)
    {
        var unknown = Assert.IsType<UnknownCommand>(Parse(line));
        Assert.Equal(line.Split(' ')[0], unknown.VerbText);
    }

    [Theory]
    [InlineData("NOOP\0")]
    [InlineData("MAIL FROM:<a@b>\0")]
    [InlineData("RCPT TO:<a@b>\rDATA")]
    [InlineData("EH\rLO x")]
    [InlineData("")]
    public void Nul_cr_and_empty_lines_get_500_5_5_2(string line)
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse(line));
        Assert.Equal(500, invalid.Reply.Code);
        Assert.Equal("5.5.2", invalid.Reply.EnhancedCode);
    }

    [Theory]
    [InlineData("EHLO mail.example.com", true, "mail.example.com")]
    [InlineData("ehlo [192.0.2.1]", true, "[192.0.2.1]")]
    [InlineData("HELO localhost", false, "localhost")]
    [InlineData("EHLO 192.0.2.1", true, "192.0.2.1")]
    [InlineData("EHLO  Mail.Example.com", true, "Mail.Example.com")]
    [InlineData("EHLO host extra words ignored", true, "host")]
    [InlineData("EHLO host_name", true, "host_name")]
    public void Helo_and_ehlo(string line, bool extended, string domain)
    {
        var helo = Assert.IsType<HeloCommand>(Parse(line));
        Assert.Equal(extended, helo.Extended);
        Assert.Equal(extended ? SmtpVerb.Ehlo : SmtpVerb.Helo, helo.Verb);
        Assert.Equal(domain, helo.Domain);
    }

    [Theory]
    [InlineData("EHLO", SmtpVerb.Ehlo, "Syntax: EHLO hostname")]
    [InlineData("EHLO ", SmtpVerb.Ehlo, "Syntax: EHLO hostname")]
    [InlineData("EHLO    ", SmtpVerb.Ehlo, "Syntax: EHLO hostname")]
    [InlineData("HELO", SmtpVerb.Helo, "Syntax: HELO hostname")]
    [InlineData("EHLO a\tb", SmtpVerb.Ehlo, "Syntax: EHLO hostname")]
    public void Helo_without_a_usable_argument(string line, SmtpVerb verb, string text)
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse(line));
        Assert.Equal(verb, invalid.Verb);
        Assert.Equal(501, invalid.Reply.Code);
        Assert.Equal("5.5.4", invalid.Reply.EnhancedCode);
        Assert.Equal(text, invalid.Reply.Lines[0]);
    }

    [Fact]
    public void Eight_bit_outside_mail_and_rcpt_gets_500()
    {
        AssertInvalid(Parse("EHLO bücher.example"), SmtpVerb.Ehlo, 500, "5.5.2");
        AssertInvalid(Parse("VRFY jörg"), SmtpVerb.Vrfy, 500, "5.5.2");
        AssertInvalid(Parse("MÄIL FROM:<a@b.example>"), SmtpVerb.Unknown, 500, "5.5.2");
        AssertInvalid(Parse("AUTH PLAIN AHVzZXIAcGFzcw== ü"), SmtpVerb.Auth, 500, "5.5.2");
        AssertInvalid(SmtpCommandParser.Parse([(byte)'N', (byte)'O', (byte)'O', (byte)'P', (byte)' ', 0xFF], Esmtp), SmtpVerb.Noop, 500, "5.5.2");
    }

    [Theory]
    [InlineData("MAIL FROM:<user@example.com>", "user@example.com")]
    [InlineData("mail from:<user@example.com>", "user@example.com")]
    [InlineData("MAIL FROM: <user@example.com>", "user@example.com")]
    [InlineData("MAIL FROM:   <user@example.com>", "user@example.com")]
    [InlineData("MAIL FROM:<User@EXAMPLE.com>  ", "User@example.com")]
    [InlineData("MAIL FROM:<@relay.example:user@example.com>", "user@example.com")]
    [InlineData("MAIL FROM:<\"a>b\"@example.com>", "a>b@example.com")]
    public void Mail_from(string line, string from)
    {
        var mail = Assert.IsType<MailCommand>(Parse(line));
        Assert.Equal(from, mail.From!.ToString());
        Assert.Equal(MailParameters.None, mail.Parameters);
    }

    [Fact]
    public void Mail_from_null_sender()
    {
        var mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<>"));
        Assert.Null(mail.From);

        mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<> SIZE=10"));
        Assert.Null(mail.From);
        Assert.Equal(10, mail.Parameters.Size);
    }

    [Theory]
    [InlineData("MAIL")]
    [InlineData("MAIL ")]
    [InlineData("MAIL FROM:")]
    [InlineData("MAIL FROM:user@example.com")]
    [InlineData("MAIL FROM <user@example.com>")]
    [InlineData("MAIL TO:<user@example.com>")]
    [InlineData("MAIL  FROM:<user@example.com>")]
    [InlineData("MAIL FROM:<user@example.com")]
    [InlineData("MAIL FROM:<user@example.com>SIZE=1")]
    [InlineData("MAIL FROM:<\"unterminated@example.com>")]
    public void Mail_syntax_errors_get_501_5_5_4(string line)
    {
        var invalid = Assert.IsType<InvalidCommand>(Parse(line));
        Assert.Equal(SmtpVerb.Mail, invalid.Verb);
        Assert.Equal(SmtpReplies.MailSyntax, invalid.Reply);
    }

    [Theory]
    [InlineData("MAIL FROM:<user>")]
    [InlineData("MAIL FROM:<a@b@c>")]
    [InlineData("MAIL FROM:<user@example.com.>")]
    [InlineData("MAIL FROM:<user@[1.2.3]>")]
    [InlineData("MAIL FROM:<Postmaster>")]
    public void Mail_bad_address_gets_501_5_1_7(string line)
    {
        AssertInvalid(Parse(line), SmtpVerb.Mail, 501, "5.1.7");
    }

    [Fact]
    public void Mail_path_too_long_gets_501_5_1_7_path_too_long()
    {
        var line = $"MAIL FROM:<{new string('a', 60)}@{new string('d', 63)}.{new string('d', 63)}.{new string('d', 63)}.{new string('e', 10)}>";
        var invalid = Assert.IsType<InvalidCommand>(Parse(line));
        Assert.Equal(SmtpReplies.SenderPathTooLong, invalid.Reply);

        var raised = Parse(line, Esmtp with { MaxPathLength = 1000 });
        Assert.IsType<MailCommand>(raised);
    }

    [Fact]
    public void Mail_parameters_all_known()
    {
        var mail = Assert.IsType<MailCommand>(Parse(
            "MAIL FROM:<a@example.com> size=12345 BODY=8bitmime SMTPUTF8 RET=HDRS ENVID=QQ+2B+3Dabc AUTH=e+2Bf@example.com"));

        Assert.Equal(12345, mail.Parameters.Size);
        Assert.Equal(BodyType.EightBitMime, mail.Parameters.Body);
        Assert.True(mail.Parameters.SmtpUtf8);
        Assert.Equal(DsnReturn.Headers, mail.Parameters.Return);
        Assert.Equal("QQ+=abc", mail.Parameters.EnvelopeId);
        Assert.Equal("e+f@example.com", mail.Parameters.AuthMailbox);
    }

    [Theory]
    [InlineData("BODY=7BIT", BodyType.SevenBit)]
    [InlineData("BODY=8BITMIME", BodyType.EightBitMime)]
    public void Mail_body_values(string parameter, BodyType body)
    {
        var mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> " + parameter));
        Assert.Equal(body, mail.Parameters.Body);
    }

    [Theory]
    [InlineData("RET=FULL", DsnReturn.Full)]
    [InlineData("RET=hdrs", DsnReturn.Headers)]
    public void Mail_ret_values(string parameter, DsnReturn ret)
    {
        var mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> " + parameter));
        Assert.Equal(ret, mail.Parameters.Return);
    }

    [Fact]
    public void Mail_auth_null_identity_and_huge_size()
    {
        var mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> AUTH=<> SIZE=99999999999999999999"));
        Assert.Equal("<>", mail.Parameters.AuthMailbox);
        Assert.Equal(long.MaxValue, mail.Parameters.Size);
    }

    [Theory]
    [InlineData("SIZE")]
    [InlineData("SIZE=")]
    [InlineData("SIZE=12a")]
    [InlineData("SIZE=-1")]
    [InlineData("SIZE=123456789012345678901")]
    [InlineData("BODY=9BIT")]
    [InlineData("BODY")]
    [InlineData("SMTPUTF8=yes")]
    [InlineData("RET=ALL")]
    [InlineData("ENVID=a+2")]
    [InlineData("ENVID=a+ZZb")]
    [InlineData("ENVID=a+0Ab")]
    [InlineData("ENVID=a+C3b")]
    [InlineData("AUTH=")]
    [InlineData("AUTH")]
    [InlineData("SIZE=1 size=2")]
    [InlineData("=x")]
    [InlineData("-SIZE=1")]
    [InlineData("SI_ZE=1")]
    [InlineData("SIZE==1")]
    [InlineData("SIZE=1\t")]
    public void Mail_parameter_syntax_errors_get_501_5_5_4(string parameter)
    {
        AssertInvalid(Parse("MAIL FROM:<a@example.com> " + parameter), SmtpVerb.Mail, 501, "5.5.4");
    }

    [Fact]
    public void Envid_of_100_characters_is_accepted_and_101_is_not()
    {
        Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> ENVID=" + new string('e', 100)));
        AssertInvalid(Parse("MAIL FROM:<a@example.com> ENVID=" + new string('e', 101)), SmtpVerb.Mail, 501, "5.5.4");
    }

    [Theory]
    [InlineData("BODY=BINARYMIME")]
    [InlineData("XFOO=1")]
    [InlineData("XFOO")]
    [InlineData("NOTIFY=NEVER")]
    [InlineData("MT-PRIORITY=3")]
    public void Mail_unknown_parameters_get_555(string parameter)
    {
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> " + parameter)).Reply);
    }

    [Theory]
    [InlineData("SIZE=1", nameof(ParserOptions.SizeOffered))]
    [InlineData("BODY=8BITMIME", nameof(ParserOptions.EightBitMimeOffered))]
    [InlineData("SMTPUTF8", nameof(ParserOptions.SmtpUtf8Offered))]
    [InlineData("RET=FULL", nameof(ParserOptions.DsnOffered))]
    [InlineData("ENVID=x", nameof(ParserOptions.DsnOffered))]
    [InlineData("AUTH=<>", nameof(ParserOptions.AuthOffered))]
    public void Mail_parameters_of_extensions_not_offered_get_555(string parameter, string option)
    {
        var options = option switch
        {
            nameof(ParserOptions.SizeOffered) => Esmtp with { SizeOffered = false },
            nameof(ParserOptions.EightBitMimeOffered) => Esmtp with { EightBitMimeOffered = false },
            nameof(ParserOptions.SmtpUtf8Offered) => Esmtp with { SmtpUtf8Offered = false },
            nameof(ParserOptions.DsnOffered) => Esmtp with { DsnOffered = false },
            _ => Esmtp with { AuthOffered = false },
        };

        Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com> " + parameter));
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> " + parameter, options)).Reply);
    }

    [Fact]
    public void Parameters_after_helo_get_555()
    {
        var helo = new ParserOptions { Extended = false };

        Assert.IsType<MailCommand>(Parse("MAIL FROM:<a@example.com>", helo));
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@example.com> SIZE=1", helo)).Reply);
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<a@example.com> NOTIFY=NEVER", helo)).Reply);
    }

    [Fact]
    public void Smtputf8_mail_accepts_utf8_addresses()
    {
        var mail = Assert.IsType<MailCommand>(Parse("MAIL FROM:<jörg@bücher.example> SMTPUTF8"));

        Assert.Equal("jörg", mail.From!.LocalPart);
        Assert.Equal("xn--bcher-kva.example", mail.From.Domain);
        Assert.True(mail.Parameters.SmtpUtf8);
    }

    [Fact]
    public void Non_ascii_address_without_smtputf8_gets_553_5_6_7()
    {
        AssertInvalid(Parse("MAIL FROM:<jörg@example.com>"), SmtpVerb.Mail, 553, "5.6.7");
        AssertInvalid(Parse("MAIL FROM:<jörg@example.com> SMTPUTF8", Esmtp with { SmtpUtf8Offered = false }), SmtpVerb.Mail, 553, "5.6.7");
        AssertInvalid(Parse("MAIL FROM:<jörg@example.com> SMTPUTF8", new ParserOptions()), SmtpVerb.Mail, 553, "5.6.7");
        AssertInvalid(Parse("RCPT TO:<jörg@example.com>"), SmtpVerb.Rcpt, 553, "5.6.7");
    }

    [Fact]
    public void Non_ascii_parameter_without_smtputf8_gets_500()
    {
        AssertInvalid(Parse("MAIL FROM:<a@example.com> ENVID=jörg"), SmtpVerb.Mail, 500, "5.5.2");
    }

    [Fact]
    public void Invalid_utf8_under_smtputf8_gets_501_5_5_2()
    {
        var line = Encoding.ASCII.GetBytes("MAIL FROM:<j\xff\xfe@example.com> SMTPUTF8".Replace('\xff', 'X').Replace('\xfe', 'Y'));
        line[12] = 0xC3;
        line[13] = 0x28;

        AssertInvalid(SmtpCommandParser.Parse(line, Esmtp), SmtpVerb.Mail, 501, "5.5.2");

        var rcpt = Encoding.ASCII.GetBytes("RCPT TO:<jXY@example.com>");
        rcpt[10] = 0xED;
        rcpt[11] = 0xA0;
        AssertInvalid(SmtpCommandParser.Parse(rcpt, Esmtp with { TransactionIsUtf8 = true }), SmtpVerb.Rcpt, 501, "5.5.2");
    }

    [Theory]
    [InlineData("RCPT TO:<user@example.com>", "user", "example.com")]
    [InlineData("rcpt to: <User@Example.COM>", "User", "example.com")]
    [InlineData("RCPT TO:<@ours.example:victim@evil.example>", "victim", "evil.example")]
    [InlineData("RCPT TO:<@evil.example:user@ours.example>", "user", "ours.example")]
    [InlineData("RCPT TO:<user%evil.example@ours.example>", "user%evil.example", "ours.example")]
    [InlineData("RCPT TO:<\"victim@evil.example\"@ours.example>", "victim@evil.example", "ours.example")]
    [InlineData("RCPT TO:<user@[192.0.2.1]>", "user", "[192.0.2.1]")]
    public void Rcpt_to(string line, string localPart, string domain)
    {
        var rcpt = Assert.IsType<RcptCommand>(Parse(line));
        Assert.Equal(localPart, rcpt.To.LocalPart);
        Assert.Equal(domain, rcpt.To.Domain);
    }

    [Theory]
    [InlineData("RCPT TO:<Postmaster>")]
    [InlineData("RCPT TO:<postmaster>")]
    [InlineData("RCPT TO:<POSTMASTER>")]
    public void Rcpt_bare_postmaster(string line)
    {
        var rcpt = Assert.IsType<RcptCommand>(Parse(line));
        Assert.Equal(new Mailbox("Postmaster", string.Empty), rcpt.To);
        Assert.True(rcpt.To.IsBarePostmaster);
    }

    [Theory]
    [InlineData("RCPT TO:<>")]
    [InlineData("RCPT TO:<user>")]
    [InlineData("RCPT TO:<a@b@c>")]
    [InlineData("RCPT TO:<user@example.com.>")]
    [InlineData("RCPT TO:<@evil.example>")]
    [InlineData("RCPT TO:<user@1.2.3.4>")]
    public void Rcpt_bad_address_gets_501_5_1_3(string line)
    {
        AssertInvalid(Parse(line), SmtpVerb.Rcpt, 501, "5.1.3");
    }

    [Theory]
    [InlineData("RCPT")]
    [InlineData("RCPT TO:")]
    [InlineData("RCPT TO:user@example.com")]
    [InlineData("RCPT FROM:<user@example.com>")]
    public void Rcpt_syntax_errors(string line)
    {
        Assert.Equal(SmtpReplies.RcptSyntax, Assert.IsType<InvalidCommand>(Parse(line)).Reply);
    }

    [Fact]
    public void Rcpt_utf8_only_in_a_utf8_transaction()
    {
        var rcpt = Assert.IsType<RcptCommand>(Parse("RCPT TO:<用户@例子.测试>", Esmtp with { TransactionIsUtf8 = true }));
        Assert.Equal("用户", rcpt.To.LocalPart);
        Assert.Equal("xn--fsqu00a.xn--0zwm56d", rcpt.To.Domain);
    }

    [Fact]
    public void Mail_and_rcpt_may_exceed_512_octets_by_what_their_parameters_add()
    {
        // RFC 5321 4.5.3.1.4: extensions lengthen the line; a 254-octet path with every DSN parameter at its longest
        // is well past 512 octets and still a correct command.
        var path = "<" + new string('a', 63) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example>";
        var mail = $"MAIL FROM:{path} SIZE=99999999999999999999 BODY=8BITMIME RET=HDRS ENVID={new string('e', 100)} AUTH={new string('u', 100)}+40example.com";
        var rcpt = $"RCPT TO:{path} NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;{new string('o', 100)}+2B{new string('o', 100)}@example.com";
        Assert.True(mail.Length + 2 > 512 && rcpt.Length + 2 > 512);

        Assert.IsType<MailCommand>(Parse(mail));
        Assert.IsType<RcptCommand>(Parse(rcpt));
    }

    [Fact]
    public void Lines_over_512_octets_get_500_unless_parameters_lengthen_them()
    {
        var padding = new string('x', 600);

        Assert.Equal(SmtpReplies.LineTooLong, Assert.IsType<InvalidCommand>(Parse("NOOP " + padding)).Reply);
        Assert.Equal(SmtpReplies.LineTooLong, Assert.IsType<InvalidCommand>(Parse("HELO " + padding)).Reply);

        // After HELO no parameter is allowed, so nothing lengthens MAIL.
        var helo = new ParserOptions { Extended = false };
        Assert.Equal(SmtpReplies.LineTooLong, Assert.IsType<InvalidCommand>(Parse($"MAIL FROM:<a@b.example> X={padding}", helo)).Reply);

        // Past its own share a MAIL line is too long too, whatever it carries.
        Assert.Equal(
            SmtpReplies.LineTooLong,
            Assert.IsType<InvalidCommand>(Parse("MAIL FROM:<a@b.example> ENVID=" + new string('e', 512 + SmtpDefaults.MailParametersLength))).Reply);
    }

    [Theory]
    [InlineData("NOTIFY=NEVER", DsnNotify.Never)]
    [InlineData("NOTIFY=SUCCESS", DsnNotify.Success)]
    [InlineData("notify=success,failure,delay", DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay)]
    [InlineData("NOTIFY=DELAY,FAILURE", DsnNotify.Delay | DsnNotify.Failure)]
    public void Rcpt_notify(string parameter, DsnNotify notify)
    {
        var rcpt = Assert.IsType<RcptCommand>(Parse("RCPT TO:<a@example.com> " + parameter));
        Assert.Equal(notify, rcpt.Parameters.Notify);
    }

    [Theory]
    [InlineData("NOTIFY=NEVER,SUCCESS")]
    [InlineData("NOTIFY=SUCCESS,NEVER")]
    [InlineData("NOTIFY=")]
    [InlineData("NOTIFY")]
    [InlineData("NOTIFY=SUCCESS,")]
    [InlineData("NOTIFY=SOMETIMES")]
    [InlineData("NOTIFY=SUCCESS,SUCCESS")]
    [InlineData("ORCPT=rfc822")]
    [InlineData("ORCPT=;a@b")]
    [InlineData("ORCPT=rfc822;")]
    [InlineData("ORCPT=rfc822;a+2")]
    [InlineData("ORCPT=rfc 822;a")]
    [InlineData("NOTIFY=NEVER NOTIFY=NEVER")]
    public void Rcpt_parameter_errors_get_501_5_5_4(string parameter)
    {
        AssertInvalid(Parse("RCPT TO:<a@example.com> " + parameter), SmtpVerb.Rcpt, 501, "5.5.4");
    }

    [Fact]
    public void Rcpt_orcpt_is_xtext_decoded()
    {
        var rcpt = Assert.IsType<RcptCommand>(Parse("RCPT TO:<a@example.com> ORCPT=rfc822;first+2Blast@example.com NOTIFY=FAILURE"));

        Assert.Equal("rfc822", rcpt.Parameters.OriginalRecipientType);
        Assert.Equal("first+last@example.com", rcpt.Parameters.OriginalRecipient);
        Assert.Equal(DsnNotify.Failure, rcpt.Parameters.Notify);
    }

    [Fact]
    public void Rcpt_orcpt_limit_counts_the_address_before_xtext_encoding()
    {
        // RFC 3461 4.2: 500 characters "prior to encoding as xtext"; escapes take three characters each, so a shorter
        // address can be longer on the wire.
        var escaped = string.Concat(Enumerable.Repeat("+2B", 160)) + "@example.com";
        var rcpt = Assert.IsType<RcptCommand>(Parse("RCPT TO:<a@example.com> ORCPT=rfc822;" + escaped));
        Assert.Equal(new string('+', 160) + "@example.com", rcpt.Parameters.OriginalRecipient);

        AssertInvalid(Parse("RCPT TO:<a@example.com> ORCPT=rfc822;" + new string('o', 489) + "@example.com"), SmtpVerb.Rcpt, 501, "5.5.4");
        Assert.IsType<RcptCommand>(Parse("RCPT TO:<a@example.com> ORCPT=rfc822;" + new string('o', 488) + "@example.com"));
    }

    [Theory]
    [InlineData("SIZE=1")]
    [InlineData("XFOO")]
    [InlineData("SMTPUTF8")]
    public void Rcpt_unknown_parameters_get_555(string parameter)
    {
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<a@example.com> " + parameter)).Reply);
        Assert.Equal(SmtpReplies.ParameterNotRecognized, Assert.IsType<InvalidCommand>(Parse("RCPT TO:<a@example.com> NOTIFY=NEVER", Esmtp with { DsnOffered = false })).Reply);
    }

    [Theory]
    [InlineData("BDAT 0 LAST", 0L, true)]
    [InlineData("BDAT 1000", 1000L, false)]
    [InlineData("bdat 42 last", 42L, true)]
    [InlineData("BDAT 999999999999999999", 999999999999999999L, false)]
    public void Bdat(string line, long size, bool last)
    {
        var bdat = Assert.IsType<BdatCommand>(Parse(line));
        Assert.Equal(size, bdat.ChunkSize);
        Assert.Equal(last, bdat.Last);
    }

    [Theory]
    [InlineData("BDAT")]
    [InlineData("BDAT ")]
    [InlineData("BDAT x")]
    [InlineData("BDAT -1")]
    [InlineData("BDAT 1 FIRST")]
    [InlineData("BDAT 1 LAST more")]
    [InlineData("BDAT 1000000000000000000")]
    [InlineData("BDAT +5")]
    public void Bdat_errors(string line)
    {
        Assert.Equal(SmtpReplies.BdatSyntax, Assert.IsType<InvalidCommand>(Parse(line)).Reply);
    }

    [Theory]
    [InlineData("AUTH PLAIN", "PLAIN", null)]
    [InlineData("auth login", "LOGIN", null)]
    [InlineData("AUTH PLAIN =", "PLAIN", "")]
    [InlineData("AUTH PLAIN AHVzZXIAcGFzcw==", "PLAIN", "AHVzZXIAcGFzcw==")]
    [InlineData("AUTH SCRAM-SHA-256", "SCRAM-SHA-256", null)]
    [InlineData("AUTH X_Y", "X_Y", null)]
    public void Auth(string line, string mechanism, string? initial)
    {
        var auth = Assert.IsType<AuthCommand>(Parse(line));
        Assert.Equal(mechanism, auth.Mechanism);
        Assert.Equal(initial, auth.InitialResponse);
    }

    [Theory]
    [InlineData("AUTH")]
    [InlineData("AUTH ")]
    [InlineData("AUTH PLAIN a b")]
    [InlineData("AUTH PL@IN")]
    [InlineData("AUTH ABCDEFGHIJKLMNOPQRSTU")]
    public void Auth_syntax_errors(string line)
    {
        Assert.Equal(SmtpReplies.AuthSyntax, Assert.IsType<InvalidCommand>(Parse(line)).Reply);
    }

    [Theory]
    [InlineData("AUTH PLAIN abc")]
    [InlineData("AUTH PLAIN ab=c")]
    [InlineData("AUTH PLAIN a===")]
    [InlineData("AUTH PLAIN ab!c")]
    public void Auth_malformed_initial_response(string line)
    {
        AssertInvalid(Parse(line), SmtpVerb.Auth, 501, "5.5.2");
    }

    [Fact]
    public void Vrfy_expn_help()
    {
        Assert.Equal("postmaster", Assert.IsType<VrfyCommand>(Parse("VRFY postmaster")).Argument);
        Assert.Equal("Smith, John", Assert.IsType<VrfyCommand>(Parse("VRFY Smith, John ")).Argument);
        Assert.Equal("staff", Assert.IsType<ExpnCommand>(Parse("EXPN staff")).Argument);
        Assert.Null(Assert.IsType<HelpCommand>(Parse("HELP")).Topic);
        Assert.Equal("MAIL", Assert.IsType<HelpCommand>(Parse("HELP MAIL")).Topic);

        Assert.Equal(SmtpReplies.ArgumentRequired, Assert.IsType<InvalidCommand>(Parse("VRFY")).Reply);
        Assert.Equal(SmtpReplies.ArgumentRequired, Assert.IsType<InvalidCommand>(Parse("EXPN  ")).Reply);
        AssertInvalid(Parse("VRFY a\tb"), SmtpVerb.Vrfy, 501, "5.5.4");
        AssertInvalid(Parse("HELP a\u0001"), SmtpVerb.Help, 501, "5.5.4");
    }
}
