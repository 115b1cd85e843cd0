using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class ClientCommandsTests
{
    [Theory]
    [InlineData(null, "<>")]
    [InlineData("user@example.test", "<user@example.test>")]
    [InlineData("first.last+tag@example.test", "<first.last+tag@example.test>")]
    [InlineData("john smith@example.test", "<\"john smith\"@example.test>")]
    [InlineData("a\"b\\c@example.test", "<\"a\\\"b\\\\c\"@example.test>")]
    [InlineData(".lead@example.test", "<\".lead\"@example.test>")]
    [InlineData("two..dots@example.test", "<\"two..dots\"@example.test>")]
    [InlineData("odd@at@example.test", "<\"odd@at\"@example.test>")]
    [InlineData("j\u00f6rg@example.test", "<j\u00f6rg@example.test>")]
    [InlineData("user@xn--bcher-kva.example", "<user@xn--bcher-kva.example>")]
    [InlineData("user@[192.0.2.1]", "<user@[192.0.2.1]>")]
    [InlineData("user@[IPv6:2001:db8::1]", "<user@[IPv6:2001:db8::1]>")]
    [InlineData("Postmaster", "<Postmaster>")]
    public void Paths_are_written_as_rfc_5321_wants_them(string? address, string expected)
    {
        Assert.True(ClientCommands.TryFormatPath(address, out var path));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\r\n<>@example.test")]
    [InlineData("tab\t@example.test")]
    [InlineData("user@exa mple.test")]
    [InlineData("user@exa>mple.test")]
    [InlineData("@example.test")]
    [InlineData("user@")]
    [InlineData("nobody")]
    public void Addresses_that_cannot_be_a_path_are_refused(string address)
    {
        Assert.False(ClientCommands.TryFormatPath(address, out _));
    }

    [Fact]
    public void Mail_carries_the_parameters_it_is_given()
    {
        var parameters = new MailParameters
        {
            Size = 12345,
            Body = BodyType.EightBitMime,
            SmtpUtf8 = true,
            EnvelopeId = "id+1=2 x",
            Return = DsnReturn.Headers,
            AuthMailbox = "never@sent.test",
        };

        Assert.Equal(
            "MAIL FROM:<a@b.test> SIZE=12345 BODY=8BITMIME SMTPUTF8 ENVID=id+2B1+3D2+20x RET=HDRS",
            ClientCommands.Mail("<a@b.test>", parameters));
        Assert.Equal("MAIL FROM:<>", ClientCommands.Mail("<>", MailParameters.None));
        Assert.Equal("MAIL FROM:<> BODY=7BIT RET=FULL", ClientCommands.Mail("<>", new MailParameters { Body = BodyType.SevenBit, Return = DsnReturn.Full }));
    }

    [Theory]
    [InlineData(DsnNotify.None, "RCPT TO:<r@x.test>")]
    [InlineData(DsnNotify.Never, "RCPT TO:<r@x.test> NOTIFY=NEVER")]
    [InlineData(DsnNotify.Success, "RCPT TO:<r@x.test> NOTIFY=SUCCESS")]
    [InlineData(DsnNotify.Delay | DsnNotify.Failure | DsnNotify.Success, "RCPT TO:<r@x.test> NOTIFY=SUCCESS,FAILURE,DELAY")]
    public void Rcpt_notify_is_never_or_a_list(DsnNotify notify, string expected)
    {
        Assert.Equal(expected, ClientCommands.Rcpt("<r@x.test>", new RecipientParameters { Notify = notify }, smtpUtf8: false));
    }

    [Fact]
    public void Rcpt_orcpt_is_xtext_and_utf8_only_under_smtputf8()
    {
        var ascii = new RecipientParameters { OriginalRecipientType = "rfc822", OriginalRecipient = "a+b=c@x.test" };
        var international = new RecipientParameters { Notify = DsnNotify.Failure, OriginalRecipientType = "utf-8", OriginalRecipient = "j\u00f6rg@x.test" };

        Assert.Equal("RCPT TO:<r@x.test> ORCPT=rfc822;a+2Bb+3Dc@x.test", ClientCommands.Rcpt("<r@x.test>", ascii, smtpUtf8: false));
        Assert.Equal("RCPT TO:<r@x.test> NOTIFY=FAILURE ORCPT=utf-8;j\u00f6rg@x.test", ClientCommands.Rcpt("<r@x.test>", international, smtpUtf8: true));

        // Without SMTPUTF8 the address cannot be written; ORCPT is optional, so it is left out.
        Assert.Equal("RCPT TO:<r@x.test> NOTIFY=FAILURE", ClientCommands.Rcpt("<r@x.test>", international, smtpUtf8: false));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with space+plus=equals")]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("~!@#$%^&*()_")]
    public void Xtext_encoding_round_trips_through_the_servers_decoder(string text)
    {
        var encoded = XText.Encode(text, allowUtf8: true);

        Assert.NotNull(encoded);
        Assert.DoesNotContain(' ', encoded);
        Assert.True(XText.TryDecode(encoded, allowUtf8: true, out var decoded));
        Assert.Equal(text, decoded);
    }

    [Fact]
    public void Bdat_and_greetings()
    {
        Assert.Equal("BDAT 1000", ClientCommands.Bdat(1000, last: false));
        Assert.Equal("BDAT 0 LAST", ClientCommands.Bdat(0, last: true));
        Assert.Equal("EHLO gw.test", ClientCommands.Ehlo("gw.test"));
        Assert.Equal("HELO gw.test", ClientCommands.Helo("gw.test"));
    }
}
