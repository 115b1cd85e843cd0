using System.Net;
using Gateway.Spam.Reputation;

namespace Gateway.Spam.Tests.Reputation;

public sealed class HeloCheckTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.25");
    private static readonly string[] Ours = ["mx.example.test", "example.test"];

    [Theory]
    [InlineData("mail.sender.test", HeloFindings.None)]
    [InlineData("MAIL.Sender.Test", HeloFindings.None)]
    [InlineData("win_host.corp.test", HeloFindings.None)]
    [InlineData("[203.0.113.7]", HeloFindings.None)]
    [InlineData(null, HeloFindings.None)]
    [InlineData("localhost", HeloFindings.Invalid)]
    [InlineData("203.0.113.7", HeloFindings.Invalid)]
    [InlineData("-bad-.sender.test", HeloFindings.Invalid)]
    [InlineData("host..sender.test", HeloFindings.Invalid)]
    [InlineData("[203.0.113.8]", HeloFindings.LiteralMismatch)]
    [InlineData("[IPv6:2001:db8::1]", HeloFindings.LiteralMismatch)]
    [InlineData("mx.example.test", HeloFindings.IsOurs)]
    [InlineData("Example.TEST", HeloFindings.IsOurs)]
    [InlineData("[192.0.2.25]", HeloFindings.IsOurs | HeloFindings.LiteralMismatch)]
    public void The_greeting_is_judged(string? helo, HeloFindings expected) =>
        Assert.Equal(expected, HeloCheck.Evaluate(helo, Client, Local, Ours));

    [Fact]
    public void A_client_on_our_own_host_naming_its_address_is_not_claiming_to_be_us()
    {
        var loopback = IPAddress.Loopback;
        Assert.Equal(HeloFindings.None, HeloCheck.Evaluate("[127.0.0.1]", IPAddress.Parse("::ffff:127.0.0.1"), loopback, Ours));
    }
}
